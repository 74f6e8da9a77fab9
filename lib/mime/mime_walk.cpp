// SPDX-License-Identifier: Apache-2.0
// mime_walk.cpp - parse_message(): GMime parses, this file walks the tree and copies out
// headers and decoded text parts. Every GMime object lives only inside one call.
#include "mime/mime_walk.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "mime/charset.h"
#include "util/text_util.h"

namespace cm {
namespace {

void init_gmime_once() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

struct GObjectUnref {
    void operator()(gpointer p) const {
        if (p) g_object_unref(p);
    }
};
template <class T>
using GRef = std::unique_ptr<T, GObjectUnref>;

struct OptionsFree {
    void operator()(GMimeParserOptions* o) const { g_mime_parser_options_free(o); }
};
struct GFree {
    void operator()(char* p) const { g_free(p); }
};

// RFC 5322 unfolding: line breaks go, the white space after them stays.
std::string unfold(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw)
        if (c != '\r' && c != '\n') out += c;
    return out;
}

bool has_8bit(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Names for GMime's parser warnings, and the note each one becomes ("" = not reported).
struct WarningInfo {
    const char* code;
    const char* what;
};

WarningInfo warning_info(GMimeParserWarning w) {
    switch (w) {
        case GMIME_WARN_MALFORMED_MULTIPART: return {"mime:malformed", "malformed multipart"};
        case GMIME_WARN_TRUNCATED_MESSAGE:
            return {"mime:malformed", "truncated (missing closing boundary or end of headers)"};
        case GMIME_WARN_MALFORMED_MESSAGE: return {"mime:malformed", "malformed message"};
        case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
            return {"mime:malformed", "multipart without boundary parameter"};
        case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
            return {"mime:malformed", "part without headers or content"};
        case GMIME_CRIT_INVALID_HEADER_NAME: return {"mime:malformed", "invalid header name"};
        case GMIME_CRIT_NESTING_OVERFLOW: return {"limit:mime-depth", "GMime nesting limit reached"};
        case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
            return {"header:invalid-rfc2047", "invalid RFC 2047 encoded word"};
        case GMIME_WARN_UNENCODED_8BIT_HEADER: return {"header:8bit", "unencoded 8-bit header"};
        default: return {"", ""};
    }
}

class Walker {
public:
    Walker(const ParseLimits& limits, ParsedMessage& out) : limits_(limits), out_(out) {}

    // Each note code/detail pair is kept once.
    void note(std::string code, std::string detail) {
        for (const ParseNote& n : out_.notes)
            if (n.code == code && n.detail == detail) return;
        if (out_.notes.size() >= kMaxNotes) return;
        out_.notes.push_back({std::move(code), std::move(detail)});
    }

    static void on_warning(gint64 offset, GMimeParserWarning w, const gchar* item, gpointer self) {
        WarningInfo info = warning_info(w);
        if (*info.code == '\0') return;
        std::string detail = info.what;
        if (item && *item) {
            std::string shown(item, std::min<std::size_t>(std::strlen(item), 80));
            for (char& c : shown)
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
            detail += ": " + std::string(trim(shown));
        }
        if (offset >= 0) detail += " (offset " + std::to_string(offset) + ")";
        auto* walker = static_cast<Walker*>(self);
        // One note per warning kind: a broken message must not grow the note list without bound.
        for (const ParseNote& n : walker->out_.notes)
            if (n.code == info.code && n.detail.rfind(info.what, 0) == 0) return;
        walker->note(info.code, std::move(detail));
    }

    // Call after walk(): the body's charset is the fallback for raw 8-bit header text.
    void collect_headers(GMimeMessage* message, GMimeParserOptions* options) {
        for (const TextPart& part : out_.parts)
            if (!part.charset.empty() && part.charset != "utf-8" && part.charset != "us-ascii") {
                header_charset_ = part.charset;
                break;
            }
        std::vector<GMimeHeader*> all;
        add_headers(g_mime_object_get_header_list(GMIME_OBJECT(message)), all);
        // GMime files the top-level Content-* fields under the body entity.
        if (GMimeObject* body = g_mime_message_get_mime_part(message))
            add_headers(g_mime_object_get_header_list(body), all);
        std::stable_sort(all.begin(), all.end(), [](GMimeHeader* a, GMimeHeader* b) {
            return g_mime_header_get_offset(a) < g_mime_header_get_offset(b);
        });

        std::size_t bytes = 0;
        out_.headers.reserve(all.size());
        for (GMimeHeader* h : all) {
            if (out_.headers.size() >= limits_.max_headers) {
                note("limit:headers", std::to_string(all.size()) + " header fields, limit " +
                                          std::to_string(limits_.max_headers));
                return;
            }
            const char* name = g_mime_header_get_name(h);
            const char* raw = g_mime_header_get_raw_value(h);
            std::string_view raw_view = raw ? raw : "";
            bytes += std::strlen(name ? name : "") + 1 + raw_view.size();
            if (bytes > limits_.max_header_bytes) {
                note("limit:header-bytes", "more than " + std::to_string(limits_.max_header_bytes) +
                                               " bytes of header fields");
                return;
            }
            if (raw_view.size() >= 1 && raw_view.back() == '\n') raw_view.remove_suffix(1);
            if (raw_view.size() >= 1 && raw_view.back() == '\r') raw_view.remove_suffix(1);

            Header& out = out_.headers.emplace_back();
            out.name = name ? name : "";
            out.raw = raw_view;
            out.value = decode_header_value(raw_view, options);
        }
    }

    void walk(GMimeObject* object, int depth, int group, bool in_attached_message) {
        if (!object || stopped_) return;
        if (++entities_ > limits_.max_parts) {
            note("limit:part-count", "more than " + std::to_string(limits_.max_parts) + " MIME entities");
            stopped_ = true;
            return;
        }
        const bool container = GMIME_IS_MULTIPART(object) || GMIME_IS_MESSAGE_PART(object);
        if (container && depth + 1 > limits_.max_mime_depth) {
            note("limit:mime-depth", "nesting deeper than " + std::to_string(limits_.max_mime_depth));
            return;
        }
        if (GMIME_IS_MULTIPART(object)) {
            auto* multipart = GMIME_MULTIPART(object);
            GMimeContentType* type = g_mime_object_get_content_type(object);
            if (!in_attached_message && type && g_mime_content_type_is_type(type, "multipart", "alternative"))
                group = alternatives_++;
            const int n = g_mime_multipart_get_count(multipart);
            for (int i = 0; i < n && !stopped_; ++i)
                walk(g_mime_multipart_get_part(multipart, i), depth + 1, group, in_attached_message);
        } else if (GMIME_IS_MESSAGE_PART(object)) {
            // An attached message is counted against the limits, but its text is not ours.
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            if (inner) walk(g_mime_message_get_mime_part(inner), depth + 1, -1, true);
        } else if (GMIME_IS_PART(object) && !in_attached_message) {
            collect_text(GMIME_PART(object), depth, group);
        }
    }

private:
    static constexpr std::size_t kMaxNotes = 64;

    static void add_headers(GMimeHeaderList* list, std::vector<GMimeHeader*>& all) {
        if (!list) return;
        const int n = g_mime_header_list_get_count(list);
        for (int i = 0; i < n; ++i)
            if (GMimeHeader* h = g_mime_header_list_get_header_at(list, i)) all.push_back(h);
    }

    // Raw 8-bit header text that is not UTF-8 is most often in the charset of the body
    // (Chinese senders, old MUAs); failing that, windows-1252.
    std::string eight_bit_to_utf8(std::string value) const {
        if (!header_charset_.empty()) {
            charset::Decoded d = charset::to_utf8(value, header_charset_);
            if (d.known && d.invalid == 0) return std::move(d.text);
        }
        return charset::to_utf8(std::move(value), "windows-1252").text;
    }

    std::string decode_header_value(std::string_view raw, GMimeParserOptions* options) const {
        std::string value = unfold(raw);
        if (has_8bit(value) && !charset::is_valid_utf8(value)) value = eight_bit_to_utf8(std::move(value));
        if (value.find("=?") != std::string::npos) {
            std::unique_ptr<char, GFree> decoded(g_mime_utils_header_decode_text(options, value.c_str()));
            if (decoded) value = decoded.get();
            if (!charset::is_valid_utf8(value)) value = charset::to_utf8(std::move(value), "utf-8").text;
        }
        return std::string(trim(value));
    }

    void collect_text(GMimePart* part, int depth, int group) {
        GMimeObject* object = GMIME_OBJECT(part);
        GMimeContentType* type = g_mime_object_get_content_type(object);
        const bool plain = type && g_mime_content_type_is_type(type, "text", "plain");
        const bool html = type && g_mime_content_type_is_type(type, "text", "html");
        if (!plain && !html) return;
        GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
        if (disposition && g_mime_content_disposition_is_attachment(disposition)) return;

        const std::size_t budget = limits_.max_text_bytes - std::min(text_bytes_, limits_.max_text_bytes);
        if (budget == 0) {
            note("limit:text-bytes", "more than " + std::to_string(limits_.max_text_bytes) + " bytes of text");
            return;
        }
        // Raw bytes read are capped too, so a huge part costs no more than the budget allows.
        bool cut = false;
        const std::size_t cap = budget > (SIZE_MAX - 64) / 4 ? SIZE_MAX : budget * 4 + 64;
        std::string bytes = read_decoded(part, cap, cut);

        const char* declared = g_mime_object_get_content_type_parameter(object, "charset");
        std::string label = charset::normalize_label(declared ? declared : "");
        if (label.empty() && html) label = charset::sniff_html_charset(bytes);
        charset::Decoded decoded = charset::to_utf8(std::move(bytes), label);

        const std::string where = "part " + std::to_string(out_.parts.size()) + " (" +
                                  (html ? "text/html" : "text/plain") + ")";
        if (!decoded.known) note("charset:unknown", where + ": " + label);
        if (decoded.invalid > 0)
            note("charset:invalid-bytes", where + ": " + std::to_string(decoded.invalid) +
                                              " invalid byte(s) in " + (label.empty() ? "undeclared" : label));
        if (decoded.text.size() > budget) {
            std::size_t keep = budget;
            while (keep > 0 && (static_cast<unsigned char>(decoded.text[keep]) & 0xC0) == 0x80) --keep;
            decoded.text.resize(keep);
            cut = true;
        }
        if (cut) note("limit:text-bytes", "more than " + std::to_string(limits_.max_text_bytes) + " bytes of text");
        text_bytes_ = cut ? limits_.max_text_bytes : text_bytes_ + decoded.text.size();

        const char* format = g_mime_object_get_content_type_parameter(object, "format");
        if (plain && format && iequals(trim(format), "flowed")) {
            const char* delsp = g_mime_object_get_content_type_parameter(object, "delsp");
            decoded.text = unflow_text(decoded.text, delsp && iequals(trim(delsp), "yes"));
        }

        TextPart& out = out_.parts.emplace_back();
        out.kind = html ? PartKind::html : PartKind::plain;
        out.text = std::move(decoded.text);
        out.charset = std::move(label);
        out.alternative_group = group;
        out.depth = depth;
    }

    // The part's content with its transfer encoding undone, at most `cap` bytes.
    static std::string read_decoded(GMimePart* part, std::size_t cap, bool& cut) {
        std::string out;
        GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
        GMimeStream* source = wrapper ? g_mime_data_wrapper_get_stream(wrapper) : nullptr;
        if (!source) return out;
        g_mime_stream_reset(source);

        const GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding(wrapper);
        GRef<GMimeStream> filtered;
        GMimeStream* stream = source;
        if (encoding == GMIME_CONTENT_ENCODING_BASE64 || encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
            encoding == GMIME_CONTENT_ENCODING_UUENCODE) {
            filtered.reset(g_mime_stream_filter_new(source));
            GRef<GMimeFilter> decoder(g_mime_filter_basic_new(encoding, FALSE));
            g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), decoder.get());
            stream = filtered.get();
        }
        // Decoded text is at most as long as its encoded form: one allocation, no zero fill.
        const gint64 length = g_mime_stream_length(source);
        if (length > 0) out.reserve(std::min<std::size_t>(static_cast<std::size_t>(length), cap));

        char chunk[16 * 1024];
        while (out.size() < cap) {
            const ssize_t n = g_mime_stream_read(stream, chunk, std::min(sizeof chunk, cap - out.size()));
            if (n <= 0) break;
            out.append(chunk, static_cast<std::size_t>(n));
        }
        if (out.size() >= cap) cut = true;
        return out;
    }

    const ParseLimits& limits_;
    ParsedMessage& out_;
    std::size_t entities_ = 0;
    std::size_t text_bytes_ = 0;
    int alternatives_ = 0;
    std::string header_charset_;  // declared charset of the first text part, if not UTF-8
    bool stopped_ = false;
};

// Input with no header block at all (GMime builds no message): read it as a plain text body.
void parse_as_plain_text(std::string_view raw, const ParseLimits& limits, ParsedMessage& out) {
    std::string bytes(raw.substr(0, std::min(raw.size(), limits.max_text_bytes)));
    charset::Decoded decoded = charset::to_utf8(std::move(bytes), "");
    if (decoded.text.size() > limits.max_text_bytes || raw.size() > limits.max_text_bytes) {
        std::size_t keep = std::min(decoded.text.size(), limits.max_text_bytes);
        while (keep > 0 && keep < decoded.text.size() &&
               (static_cast<unsigned char>(decoded.text[keep]) & 0xC0) == 0x80)
            --keep;
        decoded.text.resize(keep);
        out.notes.push_back({"limit:text-bytes", "more than " + std::to_string(limits.max_text_bytes) + " bytes of text"});
    }
    TextPart& part = out.parts.emplace_back();
    part.text = std::move(decoded.text);
}

// GMime builds an object per header field before the walker can count them, so a header
// block far beyond the limits (100,000 fields, a 50 MB line) would cost hundreds of MB.
// Fields past max_headers, and from the first field that takes the block past
// max_header_bytes, are cut off here (with the walker's note) before GMime sees them.
// Returns false when nothing had to be cut.
bool cap_header_block(std::string_view raw, const ParseLimits& limits, std::string& capped,
                      std::vector<ParseNote>& notes) {
    // The lines of the header block; a field is a line not starting with white space plus
    // its continuation lines. Returns the offset after the line at `pos`.
    auto next_line = [raw](std::size_t pos) {
        const std::size_t eol = raw.find('\n', pos);
        return eol == std::string_view::npos ? raw.size() : eol + 1;
    };
    auto blank = [](std::string_view line) { return line == "\n" || line == "\r\n"; };

    // Input that does not start with a field name and a colon is read as plain text later.
    const std::size_t colon = raw.find(':');
    if (colon == 0 || colon == std::string_view::npos ||
        raw.find_first_of(" \t\r\n") < colon)
        return false;

    std::size_t fields = 0, pos = 0, field_start = 0;
    const char* code = nullptr;
    for (std::size_t next; pos < raw.size(); pos = next) {
        next = next_line(pos);
        const std::string_view line = raw.substr(pos, next - pos);
        if (blank(line)) return false;  // end of the header block, within the limits
        if (line[0] != ' ' && line[0] != '\t') {
            field_start = pos;
            if (++fields > limits.max_headers) code = "limit:headers";
        }
        if (!code && next > limits.max_header_bytes) code = "limit:header-bytes";
        if (code) break;
    }
    if (!code) return false;
    capped.assign(raw.substr(0, field_start));
    capped += "\r\n";
    for (std::size_t next; pos < raw.size(); pos = next) {  // the body, if any, is kept
        next = next_line(pos);
        if (blank(raw.substr(pos, next - pos))) {
            capped.append(raw.substr(next));
            break;
        }
    }
    notes.push_back({code, code == std::string_view("limit:headers")
                               ? "more than " + std::to_string(limits.max_headers) + " header fields"
                               : "more than " + std::to_string(limits.max_header_bytes) + " bytes of header fields"});
    return true;
}

// GMime also builds every MIME entity before the walker counts them: a 4 MB body can hold
// 50,000 parts, some 100 MB of objects. Returns the offset of the delimiter line that opens
// entity number 4 x max_parts (only lines "--" + a boundary declared somewhere in the input
// count), or npos. Cut there, the input still holds more than max_parts entities, so the
// walker's limit:part-count note and everything before it are unchanged.
std::size_t part_cut_offset(std::string_view raw, const ParseLimits& limits) {
    if (limits.max_parts > SIZE_MAX / 4) return std::string_view::npos;
    std::unordered_set<std::string_view> boundaries;
    // Each "boundary =" is found from its '=' (memchr-fast; find_first_of("bB") costs a call per byte).
    for (std::size_t eq = raw.find('='); eq != std::string_view::npos; eq = raw.find('=', eq + 1)) {
        std::size_t name_end = eq;
        while (name_end > 0 && (raw[name_end - 1] == ' ' || raw[name_end - 1] == '\t')) --name_end;
        if (name_end < 8 || g_ascii_strncasecmp(raw.data() + name_end - 8, "boundary", 8) != 0) continue;
        std::size_t j = eq + 1;
        while (j < raw.size() && (raw[j] == ' ' || raw[j] == '\t')) ++j;
        // A boundary has at most 70 characters (RFC 2046); looking further would make a message
        // of unterminated "boundary=" values quadratic.
        const bool quoted = j < raw.size() && raw[j] == '"';
        if (quoted) ++j;
        const std::string_view value = raw.substr(std::min(j, raw.size()), 256);
        const std::size_t end = std::min(value.find_first_of(quoted ? "\"\r\n" : "; \t\r\n"), value.size());
        if (end > 0) boundaries.insert(value.substr(0, end));
    }
    if (boundaries.empty()) return std::string_view::npos;
    std::size_t opened = 0;
    for (std::size_t pos = 0; pos < raw.size();) {
        const std::size_t eol = raw.find('\n', pos);
        const std::size_t next = eol == std::string_view::npos ? raw.size() : eol + 1;
        if (next - pos > 2 && raw[pos] == '-' && raw[pos + 1] == '-') {
            std::string_view rest = raw.substr(pos + 2, next - pos - 2);
            while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r' || rest.back() == ' ' || rest.back() == '\t'))
                rest.remove_suffix(1);
            if (boundaries.count(rest) && ++opened >= 4 * limits.max_parts) return pos;
        }
        pos = next;
    }
    return std::string_view::npos;
}

}  // namespace

std::string unflow_text(std::string_view text, bool delsp) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t start = 0; start < text.size();) {
        std::size_t nl = text.find('\n', start);
        std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view line = text.substr(start, (nl == std::string_view::npos ? text.size() : nl) - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && line.front() == ' ') line.remove_prefix(1);  // space-stuffed
        const bool soft = !line.empty() && line.back() == ' ' && line != "-- " && nl != std::string_view::npos;
        if (soft && delsp) line.remove_suffix(1);
        out += line;
        if (!soft && nl != std::string_view::npos) out += '\n';
        start = next;
    }
    return out;
}

ParsedMessage parse_message(std::string_view raw, const ParseLimits& limits, bool truncated) {
    init_gmime_once();
    ParsedMessage out;
    out.size = raw.size();
    out.truncated = truncated;
    if (trim(raw).empty()) {
        out.notes.push_back({"mime:malformed", "empty message"});
        return out;
    }

    std::string capped;
    if (cap_header_block(raw, limits, capped, out.notes)) raw = capped;
    if (const std::size_t cut = part_cut_offset(raw, limits); cut != std::string_view::npos) raw = raw.substr(0, cut);

    Walker walker(limits, out);
    // Per-call options: the warning callback reports into this call's notes only.
    std::unique_ptr<GMimeParserOptions, OptionsFree> options(g_mime_parser_options_new());
    const char* fallback[] = {"utf-8", "windows-1252", nullptr};
    g_mime_parser_options_set_fallback_charsets(options.get(), fallback);
    g_mime_parser_options_set_warning_callback(options.get(), &Walker::on_warning, &walker);

    {
        // Declared before the message so that they are released after it.
        GRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
        GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
        GRef<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
        if (!message) {
            walker.note("mime:malformed", "no header block; input read as text/plain");
            parse_as_plain_text(raw, limits, out);
            return out;
        }
        walker.walk(g_mime_message_get_mime_part(message.get()), 0, -1, false);
        walker.collect_headers(message.get(), options.get());
    }
    return out;
}

}  // namespace cm
