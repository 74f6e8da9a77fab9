// SPDX-License-Identifier: Apache-2.0
// exit_codes.h - the exit statuses of consent-milter and consentctl: <sysexits.h> values.
//
// Used by both programs: EX_OK (0) success, whatever the verdict; EX_USAGE (64) bad command
// line; EX_DATAERR (65) bad input data; EX_NOINPUT (66) unreadable input; EX_SOFTWARE (70)
// internal error; EX_IOERR (74) output could not be written; EX_TEMPFAIL (75) the consent
// store cannot be reached; EX_CONFIG (78) config error. The man pages list the same values.
#pragma once

#include <sysexits.h>
