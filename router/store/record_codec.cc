#include "router/store/record_codec.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace caserouter {
namespace {

// --- Encoding helpers ---

std::string Bool(bool b) { return b ? "1" : "0"; }
std::string Time(absl::Time t) { return absl::StrCat(EncodeTime(t)); }
std::string Double(double d) { return absl::StrFormat("%.17g", d); }

// Escapes the list separators inside one element. An empty element is written as a lone "%",
// which is otherwise not a valid escape, so [""] and [] stay distinct.
std::string EscapeElement(absl::string_view element) {
  if (element.empty()) return "%";
  std::string out;
  out.reserve(element.size());
  for (char ch : element) {
    switch (ch) {
      case '%':
        out += "%25";
        break;
      case ',':
        out += "%2C";
        break;
      case ':':
        out += "%3A";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string NameList(const std::vector<std::string>& names) {
  std::vector<std::string> escaped;
  escaped.reserve(names.size());
  for (const std::string& n : names) escaped.push_back(EscapeElement(n));
  return absl::StrJoin(escaped, ",");
}

std::string SkillList(const std::vector<Skill>& skills) {
  std::vector<std::string> parts;
  parts.reserve(skills.size());
  for (const Skill& s : skills) {
    parts.push_back(absl::StrCat(EscapeElement(s.name), ":", s.proficiency));
  }
  return absl::StrJoin(parts, ",");
}

std::string RequirementList(const std::vector<SkillRequirement>& reqs) {
  std::vector<std::string> parts;
  parts.reserve(reqs.size());
  for (const SkillRequirement& r : reqs) {
    parts.push_back(absl::StrCat(EscapeElement(r.skill), ":", r.min_proficiency));
  }
  return absl::StrJoin(parts, ",");
}

std::string PerChannelList(const PerChannel<int>& values) { return absl::StrJoin(values, ","); }

// --- Decoding helpers ---

std::optional<std::string> UnescapeElement(absl::string_view s) {
  if (s == "%") return std::string();
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;  // "%" or "%X" at the end
    absl::string_view code = s.substr(i + 1, 2);
    if (code == "25") {
      out += '%';
    } else if (code == "2C" || code == "2c") {
      out += ',';
    } else if (code == "3A" || code == "3a") {
      out += ':';
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return out;
}

// Every state of the names table, whatever its value (issue 14 added kPending = 200).
std::optional<CaseState> ParseCaseState(absl::string_view name) {
  return ValueOf(kCaseStateNames, name);
}

std::optional<Presence> ParsePresence(absl::string_view name) {
  for (int i = 0; i < kPresenceCount; ++i) {
    Presence p = static_cast<Presence>(i);
    if (PresenceName(p) == name) return p;
  }
  return std::nullopt;
}

// Reads typed fields out of a record's field views. The first problem is remembered and every
// later read returns a default, so a decoder reads all its fields straight through and checks
// status() once at the end.
//
// Decoders read fields in the order the encoder writes them, and a record read back from a
// listpack-encoded Redis hash or from the memory store has them in that order: each lookup
// first tries the field after the previous match, so such a record is matched in one pass
// with no index. The first miss builds a hash index of the record's fields (also checking
// that no name appears twice); status() checks that too when some fields were never matched.
class FieldReader {
 public:
  // `versioned`: the record starts with the format version "v" (every record but events).
  FieldReader(absl::string_view kind, FieldViews fields, bool versioned = true)
      : kind_(kind), fields_(fields) {
    if (!versioned) return;
    absl::string_view version = View("v");
    if (status_.ok() && version != kRecordFormatVersion) {
      Fail("v", "unknown record format version");
    }
  }

  // OK, or the first problem. Fields never matched may hide a name given twice: checked here.
  const absl::Status& status() {
    if (status_.ok() && !indexed_ && matched_ < fields_.size()) BuildIndex();
    return status_;
  }

  // The status so far, without the final check: for loops that stop at the first problem.
  bool ok() const { return status_.ok(); }

  std::string Str(absl::string_view name) { return std::string(View(name)); }
  // A string field added after records were first written: absent is "".
  std::string OptionalStr(absl::string_view name) {
    const absl::string_view* v = FindOptional(name);
    return v == nullptr ? std::string() : std::string(*v);
  }

  int64_t Int64(absl::string_view name) {
    const absl::string_view* v = Find(name);
    int64_t out = 0;
    if (v != nullptr && !absl::SimpleAtoi(*v, &out)) Fail(name, "not an int64");
    return out;
  }

  // For a field added after records were first written: `fallback` when it is absent.
  int64_t Int64Or(absl::string_view name, int64_t fallback) {
    const absl::string_view* v = FindOptional(name);
    if (v == nullptr) return fallback;
    int64_t out = 0;
    if (!absl::SimpleAtoi(*v, &out)) Fail(name, "not an int64");
    return out;
  }

  int Int(absl::string_view name) {
    const absl::string_view* v = Find(name);
    int32_t out = 0;
    if (v != nullptr && !absl::SimpleAtoi(*v, &out)) Fail(name, "not an int32");
    return out;
  }

  bool Bool(absl::string_view name) {
    const absl::string_view* v = Find(name);
    if (v == nullptr) return false;
    if (*v == "1") return true;
    if (*v != "0") Fail(name, "not a boolean (0 or 1)");
    return false;
  }

  double Double(absl::string_view name) {
    const absl::string_view* v = Find(name);
    double out = 0;
    if (v != nullptr && !absl::SimpleAtod(*v, &out)) Fail(name, "not a number");
    return out;
  }

  absl::Time Time(absl::string_view name) {
    const absl::string_view* v = Find(name);
    int64_t micros = 0;
    if (v == nullptr) return absl::InfinitePast();
    if (!absl::SimpleAtoi(*v, &micros)) {
      Fail(name, "not an int64 of unix microseconds");
      return absl::InfinitePast();
    }
    return DecodeTime(micros);
  }

  // For a text field added after records were first written: `fallback` when it is absent.
  std::string StrOr(absl::string_view name, absl::string_view fallback) {
    const absl::string_view* v = FindOptional(name);
    return std::string(v == nullptr ? fallback : *v);
  }

  // For a time field added after records were first written: `fallback` when it is absent.
  absl::Time TimeOr(absl::string_view name, absl::Time fallback) {
    const absl::string_view* v = FindOptional(name);
    if (v == nullptr) return fallback;
    int64_t micros = 0;
    if (!absl::SimpleAtoi(*v, &micros)) {
      Fail(name, "not an int64 of unix microseconds");
      return fallback;
    }
    return DecodeTime(micros);
  }

  Channel ChannelField(absl::string_view name) {
    const absl::string_view* v = Find(name);
    if (v == nullptr) return Channel::kPhone;
    std::optional<Channel> c = ParseChannel(*v);
    if (!c) Fail(name, "not a channel name");
    return c.value_or(Channel::kPhone);
  }

  CaseState CaseStateField(absl::string_view name) {
    const absl::string_view* v = Find(name);
    if (v == nullptr) return CaseState::kQueued;
    std::optional<CaseState> s = ParseCaseState(*v);
    if (!s) Fail(name, "not a case state name");
    return s.value_or(CaseState::kQueued);
  }

  Presence PresenceField(absl::string_view name) {
    const absl::string_view* v = Find(name);
    if (v == nullptr) return Presence::kOffline;
    std::optional<Presence> p = ParsePresence(*v);
    if (!p) Fail(name, "not a presence name");
    return p.value_or(Presence::kOffline);
  }

  std::vector<std::string> Names(absl::string_view name) { return NamesAt(name, Find(name)); }

  // Fields that records of an earlier writer may not have: absent is the default.
  bool OptionalBool(absl::string_view name) {
    const absl::string_view* v = FindOptional(name);
    if (v == nullptr || *v == "0") return false;
    if (*v == "1") return true;
    Fail(name, "not a boolean (0 or 1)");
    return false;
  }

  // A list that records of an earlier writer may not have: absent is empty, not an error.
  std::vector<std::string> OptionalNames(absl::string_view name) {
    return NamesAt(name, FindOptional(name));
  }

  std::vector<std::string> NamesAt(absl::string_view name, const absl::string_view* v) {
    std::vector<std::string> out;
    if (v == nullptr || v->empty()) return out;
    for (absl::string_view part : absl::StrSplit(*v, ',')) {
      std::optional<std::string> element = UnescapeElement(part);
      if (!element) {
        Fail(name, "bad escape in list element");
        return {};
      }
      out.push_back(*std::move(element));
    }
    return out;
  }

  // "name:int,name:int": skills with proficiency, or required skills with minimum.
  std::vector<std::pair<std::string, int>> NamedInts(absl::string_view name) {
    std::vector<std::pair<std::string, int>> out;
    const absl::string_view* v = Find(name);
    if (v == nullptr || v->empty()) return out;
    for (absl::string_view part : absl::StrSplit(*v, ',')) {
      size_t colon = part.rfind(':');
      int32_t level = 0;
      std::optional<std::string> element;
      if (colon != absl::string_view::npos) element = UnescapeElement(part.substr(0, colon));
      if (colon == absl::string_view::npos || !element ||
          !absl::SimpleAtoi(part.substr(colon + 1), &level)) {
        Fail(name, "list element is not name:int");
        return {};
      }
      out.emplace_back(*std::move(element), level);
    }
    return out;
  }

  PerChannel<int> PerChannelInts(absl::string_view name) {
    PerChannel<int> out = {0, 0, 0, 0};
    const absl::string_view* v = Find(name);
    if (v == nullptr) return out;
    if (static_cast<size_t>(std::count(v->begin(), v->end(), ',')) + 1 != out.size()) {
      Fail(name, absl::StrCat("needs ", out.size(), " comma-separated ints"));
      return out;
    }
    absl::string_view rest = *v;
    for (size_t i = 0; i < out.size(); ++i) {
      size_t comma = rest.find(',');
      if (!absl::SimpleAtoi(rest.substr(0, comma), &out[i])) {
        Fail(name, "element is not an int32");
        return {0, 0, 0, 0};
      }
      if (comma != absl::string_view::npos) rest.remove_prefix(comma + 1);
    }
    return out;
  }

  void Fail(absl::string_view name, absl::string_view problem) {
    if (!status_.ok()) return;
    // Only the field name and a fixed description: a value may be customer text.
    status_ = absl::DataLossError(absl::StrCat(kind_, " field '", name, "': ", problem));
  }

 private:
  absl::string_view View(absl::string_view name) {
    const absl::string_view* v = Find(name);
    return v == nullptr ? absl::string_view() : *v;
  }

  const absl::string_view* FindOptional(absl::string_view name) {
    if (!status_.ok()) return nullptr;
    if (!indexed_ && next_ < fields_.size() && fields_[next_].first == name) {
      ++matched_;
      return &fields_[next_++].second;
    }
    if (!indexed_) BuildIndex();
    if (!status_.ok()) return nullptr;
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &fields_[it->second].second;
  }

  const absl::string_view* Find(absl::string_view name) {
    if (!status_.ok()) return nullptr;
    if (!indexed_) {
      if (next_ < fields_.size() && fields_[next_].first == name) {
        ++matched_;
        return &fields_[next_++].second;
      }
      BuildIndex();
      if (!status_.ok()) return nullptr;
    }
    auto it = index_.find(name);
    if (it == index_.end()) {
      Fail(name, "missing");
      return nullptr;
    }
    return &fields_[it->second].second;
  }

  void BuildIndex() {
    indexed_ = true;
    index_.reserve(fields_.size());
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (!index_.emplace(fields_[i].first, i).second) {
        Fail(fields_[i].first, "appears twice");
        return;
      }
    }
  }

  absl::string_view kind_;
  FieldViews fields_;
  size_t next_ = 0;     // the field after the last one matched in order
  size_t matched_ = 0;  // fields matched in order (each at most once)
  bool indexed_ = false;
  absl::flat_hash_map<absl::string_view, size_t> index_;
  absl::Status status_;
};

// A FieldList as views, for the decoders.
std::vector<FieldView> ViewsOf(const FieldList& fields) {
  std::vector<FieldView> views;
  views.reserve(fields.size());
  for (const auto& [name, value] : fields) views.emplace_back(name, value);
  return views;
}

}  // namespace

int64_t EncodeTime(absl::Time t) {
  if (t == absl::InfinitePast()) return kPastSentinel;
  if (t == absl::InfiniteFuture()) return kFutureSentinel;
  int64_t micros = absl::ToUnixMicros(t);
  // A finite time far enough out saturates onto a sentinel; keep it finite by one tick.
  if (micros == kPastSentinel) return kPastSentinel + 1;
  if (micros == kFutureSentinel) return kFutureSentinel - 1;
  return micros;
}

absl::Time DecodeTime(int64_t micros) {
  if (micros == kPastSentinel) return absl::InfinitePast();
  if (micros == kFutureSentinel) return absl::InfiniteFuture();
  return absl::FromUnixMicros(micros);
}

FieldList EncodeCase(const Case& c) {
  const CaseSpec& s = c.spec;
  FieldList f;
  f.reserve(32 + c.messages.size());
  f.emplace_back("v", std::string(kRecordFormatVersion));
  f.emplace_back("id", c.id);
  f.emplace_back("channel", std::string(ChannelName(s.channel)));
  f.emplace_back("customer_id", s.customer_id);
  f.emplace_back("topic", s.topic);
  f.emplace_back("required_skills", RequirementList(s.required_skills));
  f.emplace_back("language", s.language);
  f.emplace_back("authority_needed", absl::StrCat(s.authority_needed));
  f.emplace_back("customer_value", Double(s.customer_value));
  f.emplace_back("sentiment", Double(s.sentiment));
  f.emplace_back("has_sentiment", Bool(s.has_sentiment));
  f.emplace_back("reach", absl::StrCat(s.reach));
  f.emplace_back("is_public", Bool(s.is_public));
  f.emplace_back("explicit_priority", absl::StrCat(s.explicit_priority));
  f.emplace_back("idempotency_key", s.idempotency_key);
  f.emplace_back("subject", s.subject);
  f.emplace_back("state", std::string(CaseStateName(c.state)));
  f.emplace_back("created_time", Time(c.created_time));
  f.emplace_back("enqueued_time", Time(c.enqueued_time));
  f.emplace_back("answered_time", Time(c.answered_time));
  f.emplace_back("closed_time", Time(c.closed_time));
  f.emplace_back("agent_id", c.agent_id);
  f.emplace_back("offer_expires", Time(c.offer_expires));
  f.emplace_back("declined_by", NameList(c.declined_by));
  f.emplace_back("declined_pass_until", Time(c.declined_pass_until));
  f.emplace_back("offers_made", absl::StrCat(c.offers_made));
  f.emplace_back("resolved", Bool(c.outcome.resolved));
  f.emplace_back("csat", absl::StrCat(c.outcome.csat));
  f.emplace_back("follow_up_needed", Bool(c.outcome.follow_up_needed));
  f.emplace_back("end_reason", c.end_reason);
  f.emplace_back("repeat_of", c.repeat_of);
  f.emplace_back("preferred_agent", c.preferred_agent);
  f.emplace_back("needs_supervisor", Bool(c.needs_supervisor));
  f.emplace_back("came_back", Bool(c.came_back));
  f.emplace_back("msg_count", absl::StrCat(c.messages.size()));
  for (size_t i = 0; i < c.messages.size(); ++i) {
    f.emplace_back(absl::StrCat("msg.", i), c.messages[i]);
  }
  f.emplace_back("joined_keys", NameList(c.joined_keys));
  f.emplace_back("arm", c.arm);
  f.emplace_back("arm_excluded", Bool(c.arm_excluded));
  f.emplace_back("transfers", absl::StrCat(c.transfers));  // issue 14
  f.emplace_back("transferred_by", NameList(c.transferred_by));
  f.emplace_back("pending_since", Time(c.pending_since));
  f.emplace_back("disposition", c.disposition);
  f.emplace_back("pending_return_until", Time(c.pending_return_until));
  f.emplace_back("submitted_by", s.submitted_by);
  return f;
}

absl::StatusOr<Case> DecodeCase(const FieldList& fields) {
  return DecodeCaseViews(ViewsOf(fields));
}

absl::StatusOr<Case> DecodeCaseViews(FieldViews fields) {
  FieldReader r("case", fields);
  Case c;
  CaseSpec& s = c.spec;
  c.id = r.Str("id");
  s.channel = r.ChannelField("channel");
  s.customer_id = r.Str("customer_id");
  s.topic = r.Str("topic");
  for (auto& [skill, min] : r.NamedInts("required_skills")) {
    s.required_skills.push_back(SkillRequirement{std::move(skill), min});
  }
  s.language = r.Str("language");
  s.authority_needed = r.Int64("authority_needed");
  s.customer_value = r.Double("customer_value");
  s.sentiment = r.Double("sentiment");
  s.has_sentiment = r.Bool("has_sentiment");
  s.reach = r.Int64("reach");
  s.is_public = r.Bool("is_public");
  s.explicit_priority = r.Int("explicit_priority");
  s.idempotency_key = r.Str("idempotency_key");
  s.subject = r.Str("subject");
  c.state = r.CaseStateField("state");
  c.created_time = r.Time("created_time");
  c.enqueued_time = r.Time("enqueued_time");
  c.answered_time = r.Time("answered_time");
  c.closed_time = r.Time("closed_time");
  c.agent_id = r.Str("agent_id");
  c.offer_expires = r.Time("offer_expires");
  c.declined_by = r.Names("declined_by");
  c.declined_pass_until = r.Time("declined_pass_until");
  c.offers_made = r.Int("offers_made");
  c.outcome.resolved = r.Bool("resolved");
  c.outcome.csat = r.Int("csat");
  c.outcome.follow_up_needed = r.Bool("follow_up_needed");
  c.end_reason = r.Str("end_reason");
  c.repeat_of = r.Str("repeat_of");
  c.preferred_agent = r.Str("preferred_agent");
  c.needs_supervisor = r.Bool("needs_supervisor");
  c.came_back = r.Bool("came_back");
  int64_t count = r.Int64("msg_count");
  if (count < 0) r.Fail("msg_count", "negative");
  for (int64_t i = 0; r.ok() && i < count; ++i) {
    c.messages.push_back(r.Str(absl::StrCat("msg.", i)));
  }
  c.joined_keys = r.OptionalNames("joined_keys");
  c.arm = r.OptionalStr("arm");
  c.arm_excluded = r.OptionalBool("arm_excluded");
  // Issue 14: absent in records written before transfers.
  c.transfers = static_cast<int>(r.Int64Or("transfers", 0));
  c.transferred_by = r.OptionalNames("transferred_by");
  c.pending_since = r.TimeOr("pending_since", absl::InfinitePast());
  c.disposition = r.StrOr("disposition", "");
  c.pending_return_until = r.TimeOr("pending_return_until", absl::InfinitePast());
  s.submitted_by = r.OptionalStr("submitted_by");
  if (!r.status().ok()) return r.status();
  return c;
}

FieldList EncodeAgent(const Agent& a) {
  FieldList f;
  f.reserve(12);
  f.emplace_back("v", std::string(kRecordFormatVersion));
  f.emplace_back("id", a.id);
  f.emplace_back("skills", SkillList(a.skills));
  f.emplace_back("languages", NameList(a.languages));
  f.emplace_back("authority_limit", absl::StrCat(a.authority_limit));
  f.emplace_back("max_cases", PerChannelList(a.max_cases));
  f.emplace_back("presence", std::string(PresenceName(a.presence)));
  f.emplace_back("presence_since", Time(a.presence_since));
  f.emplace_back("idle_since", Time(a.idle_since));
  f.emplace_back("wrap_up_until", Time(a.wrap_up_until));
  f.emplace_back("missed_offers_in_row", absl::StrCat(a.missed_offers_in_row));
  f.emplace_back("active_cases", PerChannelList(a.active_cases));
  f.emplace_back("last_offer_time", Time(a.last_offer_time));
  f.emplace_back("contact_address", a.contact_address);
  return f;
}

absl::StatusOr<Agent> DecodeAgent(const FieldList& fields) {
  return DecodeAgentViews(ViewsOf(fields));
}

absl::StatusOr<Agent> DecodeAgentViews(FieldViews fields) {
  FieldReader r("agent", fields);
  Agent a;
  a.id = r.Str("id");
  for (auto& [name, prof] : r.NamedInts("skills")) {
    a.skills.push_back(Skill{std::move(name), prof});
  }
  a.languages = r.Names("languages");
  a.authority_limit = r.Int64("authority_limit");
  a.max_cases = r.PerChannelInts("max_cases");
  a.presence = r.PresenceField("presence");
  a.presence_since = r.Time("presence_since");
  a.idle_since = r.Time("idle_since");
  a.wrap_up_until = r.Time("wrap_up_until");
  a.missed_offers_in_row = r.Int("missed_offers_in_row");
  a.active_cases = r.PerChannelInts("active_cases");
  a.last_offer_time = r.Time("last_offer_time");
  a.contact_address = r.OptionalStr("contact_address");
  if (!r.status().ok()) return r.status();
  return a;
}

FieldList EncodeQualityRecord(const QualityRecord& q) {
  FieldList f;
  f.reserve(11);
  f.emplace_back("v", std::string(kRecordFormatVersion));
  f.emplace_back("agent_id", q.agent_id);
  f.emplace_back("topic", q.topic);
  f.emplace_back("completed", absl::StrCat(q.completed));
  f.emplace_back("resolved", absl::StrCat(q.resolved));
  f.emplace_back("first_contact_resolutions", absl::StrCat(q.first_contact_resolutions));
  f.emplace_back("repeats_after_resolved", absl::StrCat(q.repeats_after_resolved));
  f.emplace_back("csat_sum", absl::StrCat(q.csat_sum));
  f.emplace_back("csat_count", absl::StrCat(q.csat_count));
  f.emplace_back("handle_seconds_sum", absl::StrCat(q.handle_seconds_sum));
  f.emplace_back("evidence_resolutions", absl::StrCat(q.evidence_resolutions));
  return f;
}

absl::StatusOr<QualityRecord> DecodeQualityRecord(const FieldList& fields) {
  return DecodeQualityRecordViews(ViewsOf(fields));
}

absl::StatusOr<QualityRecord> DecodeQualityRecordViews(FieldViews fields) {
  FieldReader r("quality", fields);
  QualityRecord q;
  q.agent_id = r.Str("agent_id");
  q.topic = r.Str("topic");
  q.completed = r.Int64("completed");
  q.resolved = r.Int64("resolved");
  q.first_contact_resolutions = r.Int64("first_contact_resolutions");
  q.repeats_after_resolved = r.Int64("repeats_after_resolved");
  q.csat_sum = r.Int64("csat_sum");
  q.csat_count = r.Int64("csat_count");
  q.handle_seconds_sum = r.Int64("handle_seconds_sum");
  // Records written before the field existed: their first-contact resolutions are the
  // nearest thing to it.
  q.evidence_resolutions = r.Int64Or("evidence_resolutions", q.first_contact_resolutions);
  if (!r.status().ok()) return r.status();
  return q;
}

FieldList EncodeRelationship(const Relationship& rel) {
  FieldList f;
  f.reserve(9);
  f.emplace_back("v", std::string(kRecordFormatVersion));
  f.emplace_back("customer_id", rel.customer_id);
  f.emplace_back("agent_id", rel.agent_id);
  f.emplace_back("cases", absl::StrCat(rel.cases));
  f.emplace_back("resolved", absl::StrCat(rel.resolved));
  f.emplace_back("csat_sum", absl::StrCat(rel.csat_sum));
  f.emplace_back("csat_count", absl::StrCat(rel.csat_count));
  f.emplace_back("last_csat", absl::StrCat(rel.last_csat));
  f.emplace_back("last_contact", Time(rel.last_contact));
  return f;
}

absl::StatusOr<Relationship> DecodeRelationship(const FieldList& fields) {
  return DecodeRelationshipViews(ViewsOf(fields));
}

absl::StatusOr<Relationship> DecodeRelationshipViews(FieldViews fields) {
  FieldReader r("relationship", fields);
  Relationship rel;
  rel.customer_id = r.Str("customer_id");
  rel.agent_id = r.Str("agent_id");
  rel.cases = r.Int64("cases");
  rel.resolved = r.Int64("resolved");
  rel.csat_sum = r.Int64("csat_sum");
  rel.csat_count = r.Int64("csat_count");
  rel.last_csat = r.Int("last_csat");
  rel.last_contact = r.Time("last_contact");
  if (!r.status().ok()) return r.status();
  return rel;
}

absl::StatusOr<Event> DecodeEvent(const FieldList& fields) {
  return DecodeEventViews(ViewsOf(fields));
}

absl::StatusOr<Event> DecodeEventViews(FieldViews fields) {
  FieldReader r("event", fields, /*versioned=*/false);
  Event e;
  e.time = r.Time("time");
  e.type = r.Str("type");
  e.case_id = r.Str("case");
  e.agent_id = r.Str("agent");
  e.detail = r.Str("detail");
  if (!r.status().ok()) return r.status();
  return e;
}

FieldList EncodeEvent(const Event& e) {
  FieldList f;
  f.reserve(5);
  f.emplace_back("time", Time(e.time));
  f.emplace_back("type", e.type);
  f.emplace_back("case", e.case_id);
  f.emplace_back("agent", e.agent_id);
  f.emplace_back("detail", e.detail);
  return f;
}

}  // namespace caserouter
