// SPDX-License-Identifier: Apache-2.0
// evaluate.h - the one decision: parsed message + envelope + policy (+ consent store) -> Report.
//
// A Policy is built once per config load: it owns the Config and everything compiled from
// it (phrase set, exemption patterns) and is immutable afterwards, so one
// shared_ptr<const Policy> serves every thread. evaluate() does no I/O except through the
// ConsentStore it is given, reads no clock (`now` comes in) and writes no log. The milter and
// `consent-milter --test` both call this, so their verdicts agree by construction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "consent/consent_store.h"
#include "mime/message.h"
#include "checks/phrases.h"
#include "policy/report.h"
#include "util/status.h"

namespace cm {

struct Envelope {
    std::string mail_from;            // envelope sender, without <>; "" for the null sender
    std::vector<std::string> rcpts;   // envelope recipients, without <>
    std::string auth_user;            // SASL login ({auth_authen}), "" when none
    std::string client_ip;            // {client_addr}, "" when unknown
};

class Policy {
public:
    // Compiles the phrase set (built-in + UnsubscribePhrases) and the ExemptHeader patterns.
    static Result<std::shared_ptr<const Policy>> create(Config config);

    const Config& config() const { return config_; }
    const PhraseSet& phrases() const { return *phrases_; }

    // The exemption rules, one kind each (exemption() below combines them). Each returns a
    // short description of the matching rule ("client 10.0.0.0/8", ...) or "" when none matches.
    std::string client_exemption(std::string_view client_ip) const;
    std::string sender_exemption(std::string_view mail_from) const;
    // `budget` is the current message's (see pattern_budget.h).
    std::string header_exemption(std::string_view name, std::string_view value, PatternBudget& budget) const;

    ~Policy();
    struct Compiled;

private:
    Policy(Config config, std::shared_ptr<const PhraseSet> phrases, std::unique_ptr<Compiled> compiled);

    Config config_;
    std::shared_ptr<const PhraseSet> phrases_;
    std::unique_ptr<Compiled> compiled_;
};

// The one exemption decision (ExemptClients, ExemptSenders, ExemptHeader): the rule that
// exempts the message, or "" when none does. evaluate() calls it first. A front end may call
// it earlier with what it has - the envelope alone at MAIL (`headers` empty), the envelope and
// MessageBuffer::parse_headers() at end of headers - and stop buffering the body of a message
// found exempt once exempt_report() confirms it: more evidence never takes an exemption away,
// so evaluate() agrees. `budget` is the message's (see pattern_budget.h).
std::string exemption(const Policy& policy, const Envelope& envelope, const std::vector<Header>& headers,
                      PatternBudget& budget);

// A message found exempt (`why`, from exemption()) before its body: the report evaluate()
// would give it - accepted as exempt, or OnError's verdict when the store cannot tell whether
// the scope is suspended - or nullopt when the scope is suspended (DESIGN §11: exemptions do
// not apply), so the message must be buffered and judged in full by evaluate(). Asks the
// store once (sender_state) when a store is configured and the scope is known; `headers`
// matter only for ConsentScope header:NAME. Exempt messages skip the complaint-rate rule:
// only a recorded suspension overrides an exemption.
std::optional<Report> exempt_report(const Policy& policy, const Envelope& envelope,
                                    const std::vector<Header>& headers, ConsentStore* store, std::int64_t now,
                                    std::string why);

// Runs every check and chooses the verdict (DESIGN §5, §11). `store` may be null (no consent
// check: consent and sender "skipped"). `now` is unix seconds, for ConsentMaxAge and the
// complaint-rate window (UTC days now-(ComplaintRateWindow-1) .. now). With a store and a
// known scope the store is asked once for the scope's state (sender_state) and, unless the
// store failed, once for the recipients (lookup); a failure follows OnError.
Report evaluate(const ParsedMessage& message, const Envelope& envelope, const Policy& policy,
                ConsentStore* store, std::int64_t now);

}  // namespace cm
