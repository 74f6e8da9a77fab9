// SPDX-License-Identifier: Apache-2.0
// engine.h - the consent engine: ConsentDatabase written once over a ConsentBackend.
//
// Every rule of DESIGN §7 lives here: key validation, how a grant merges with what is stored,
// when a change is a no-op, history details, ref idempotency, import's all-or-nothing. The
// backend (backend.h) only stores and fetches. The engine owns its backend; it is as
// thread-safe as the backend (both shipped backends are safe from several threads at once).
#pragma once

#include <memory>

#include "consent/backend.h"
#include "consent/consent_db.h"

namespace cm {

std::unique_ptr<ConsentDatabase> make_consent_engine(std::unique_ptr<ConsentBackend> backend);

}  // namespace cm
