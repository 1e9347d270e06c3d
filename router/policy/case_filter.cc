#include "router/policy/case_filter.h"

#include <cctype>
#include <cstdlib>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace caserouter {

// A value an attribute has or a literal in the expression.
struct FilterValue {
  bool is_number = false;
  double number = 0;
  std::string word;
};

struct CaseFilter::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn, kTruth };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kTruth;
  std::shared_ptr<const Node> left, right;  // kAnd, kOr; kNot uses left
  std::string attribute;                    // kCompare, kIn, kTruth
  Op op = Op::kEq;
  std::vector<FilterValue> values;  // one for kCompare
};

namespace {

using Node = CaseFilter::Node;
using Subject = CaseFilter::Subject;

// The attributes each subject has, and whether each is a number (else a word).
struct AttributeKind {
  bool known = false;
  bool number = false;
};

AttributeKind KindOf(Subject subject, absl::string_view name) {
  if (absl::StartsWith(name, "skill.") && name.size() > 6) return {true, true};
  if (subject == Subject::kCase) {
    if (name == "channel" || name == "topic" || name == "language") return {true, false};
    if (name == "customer_value" || name == "sentiment" || name == "reach" || name == "public" ||
        name == "priority" || name == "authority_needed" || name == "repeat") {
      return {true, true};
    }
    return {};
  }
  if (name == "language" || name == "id") return {true, false};
  if (name == "authority") return {true, true};
  return {};
}

struct Token {
  enum class Kind {
    kEnd,
    kWord,
    kNumber,
    kQuoted,
    kOp,
    kLParen,
    kRParen,
    kLBracket,
    kRBracket,
    kComma
  };
  Kind kind = Kind::kEnd;
  std::string text;
  double number = 0;
  size_t position = 0;  // 1-based
};

class Parser {
 public:
  Parser(absl::string_view text, Subject subject) : text_(text), subject_(subject) {}

  absl::StatusOr<std::shared_ptr<const Node>> Run() {
    if (absl::Status s = Lex(); !s.ok()) return s;
    absl::StatusOr<std::shared_ptr<const Node>> root = Or();
    if (!root.ok()) return root;
    if (Peek().kind != Token::Kind::kEnd) return Error(Peek(), "expected 'and', 'or' or the end");
    return root;
  }

 private:
  absl::Status ErrorAt(size_t position, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("at position ", position, ": ", what));
  }
  absl::Status Error(const Token& t, absl::string_view what) const {
    return ErrorAt(t.position, what);
  }

  absl::Status Lex() {
    size_t i = 0;
    auto word_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    };
    while (i < text_.size()) {
      char c = text_[i];
      Token t;
      t.position = i + 1;
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
        t.kind = c == '('   ? Token::Kind::kLParen
                 : c == ')' ? Token::Kind::kRParen
                 : c == '[' ? Token::Kind::kLBracket
                 : c == ']' ? Token::Kind::kRBracket
                            : Token::Kind::kComma;
        t.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        t.kind = Token::Kind::kOp;
        bool two = i + 1 < text_.size() && text_[i + 1] == '=';
        t.text = std::string(text_.substr(i, two ? 2 : 1));
        if (t.text == "=" || t.text == "!") {
          return ErrorAt(t.position, absl::StrCat("unknown operator '", t.text,
                                                  "' (expected ==, !=, <, <=, >, >=)"));
        }
        i += two ? 2 : 1;
      } else if (c == '\'' || c == '"') {
        size_t end = text_.find(c, i + 1);
        if (end == absl::string_view::npos) return ErrorAt(t.position, "unterminated quote");
        t.kind = Token::Kind::kQuoted;
        t.text = std::string(text_.substr(i + 1, end - i - 1));
        i = end + 1;
      } else if (word_char(c)) {
        size_t start = i;
        while (i < text_.size() && word_char(text_[i])) ++i;
        t.text = std::string(text_.substr(start, i - start));
        double n = 0;
        bool numeric = std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
        if (numeric && absl::SimpleAtod(t.text, &n)) {
          t.kind = Token::Kind::kNumber;
          t.number = n;
        } else {
          t.kind = Token::Kind::kWord;
        }
      } else {
        return ErrorAt(t.position, absl::StrCat("unexpected character '", std::string(1, c), "'"));
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.position = text_.size() + 1;
    tokens_.push_back(end);
    return absl::OkStatus();
  }

  const Token& Peek() const { return tokens_[next_]; }
  const Token& Take() { return tokens_[next_++]; }
  bool TakeWord(absl::string_view w) {
    if (Peek().kind == Token::Kind::kWord && Peek().text == w) {
      ++next_;
      return true;
    }
    return false;
  }

  absl::StatusOr<std::shared_ptr<const Node>> Binary(
      Node::Kind kind, absl::string_view word,
      absl::StatusOr<std::shared_ptr<const Node>> (Parser::*operand)()) {
    absl::StatusOr<std::shared_ptr<const Node>> left = (this->*operand)();
    if (!left.ok()) return left;
    std::shared_ptr<const Node> result = *left;
    while (TakeWord(word)) {
      absl::StatusOr<std::shared_ptr<const Node>> right = (this->*operand)();
      if (!right.ok()) return right;
      auto n = std::make_shared<Node>();
      n->kind = kind;
      n->left = result;
      n->right = *right;
      result = n;
    }
    return result;
  }
  absl::StatusOr<std::shared_ptr<const Node>> Or() {
    return Binary(Node::Kind::kOr, "or", &Parser::And);
  }
  absl::StatusOr<std::shared_ptr<const Node>> And() {
    return Binary(Node::Kind::kAnd, "and", &Parser::Unary);
  }

  absl::StatusOr<std::shared_ptr<const Node>> Unary() {
    if (TakeWord("not")) {
      absl::StatusOr<std::shared_ptr<const Node>> inner = Unary();
      if (!inner.ok()) return inner;
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kNot;
      n->left = *inner;
      return n;
    }
    if (Peek().kind == Token::Kind::kLParen) {
      const Token& open = Take();
      absl::StatusOr<std::shared_ptr<const Node>> inner = Or();
      if (!inner.ok()) return inner;
      if (Peek().kind != Token::Kind::kRParen) {
        return Error(Peek(),
                     absl::StrCat("expected ')' closing the '(' at position ", open.position));
      }
      Take();
      return inner;
    }
    return Comparison();
  }

  absl::StatusOr<FilterValue> Value(bool number_wanted, const std::string& attribute) {
    const Token& t = Take();
    FilterValue v;
    if (t.kind == Token::Kind::kNumber) {
      v.is_number = true;
      v.number = t.number;
    } else if (t.kind == Token::Kind::kWord || t.kind == Token::Kind::kQuoted) {
      v.word = t.text;
    } else {
      return Error(t, "expected a value");
    }
    if (number_wanted != v.is_number) {
      return Error(t,
                   absl::StrCat("'", attribute, "' is a ", number_wanted ? "number" : "word",
                                ": cannot compare it with ", v.is_number ? "a number" : "a word"));
    }
    return v;
  }

  absl::StatusOr<std::shared_ptr<const Node>> Comparison() {
    const Token& name = Take();
    if (name.kind != Token::Kind::kWord || name.text == "and" || name.text == "or" ||
        name.text == "in") {
      return Error(name, "expected an attribute, 'not' or '('");
    }
    AttributeKind kind = KindOf(subject_, name.text);
    if (!kind.known) {
      return Error(name, absl::StrCat("unknown attribute '", name.text, "' of ",
                                      subject_ == Subject::kCase ? "a case" : "an agent"));
    }
    auto n = std::make_shared<Node>();
    n->attribute = name.text;
    if (TakeWord("in")) {
      n->kind = Node::Kind::kIn;
      if (Peek().kind != Token::Kind::kLBracket) return Error(Peek(), "expected '[' after 'in'");
      Take();
      while (true) {
        absl::StatusOr<FilterValue> v = Value(kind.number, name.text);
        if (!v.ok()) return v.status();
        n->values.push_back(*std::move(v));
        if (Peek().kind == Token::Kind::kComma) {
          Take();
          continue;
        }
        if (Peek().kind == Token::Kind::kRBracket) {
          Take();
          break;
        }
        return Error(Peek(), "expected ',' or ']'");
      }
      return n;
    }
    if (Peek().kind != Token::Kind::kOp) {
      if (!kind.number) {
        return Error(Peek(), absl::StrCat("expected an operator after '", name.text, "'"));
      }
      n->kind = Node::Kind::kTruth;
      return n;
    }
    const Token& op = Take();
    n->kind = Node::Kind::kCompare;
    static const std::pair<const char*, Node::Op> kOps[] = {
        {"==", Node::Op::kEq}, {"!=", Node::Op::kNe}, {"<", Node::Op::kLt},
        {"<=", Node::Op::kLe}, {">", Node::Op::kGt},  {">=", Node::Op::kGe}};
    for (const auto& [text, value] : kOps) {
      if (op.text == text) n->op = value;
    }
    if (!kind.number && n->op != Node::Op::kEq && n->op != Node::Op::kNe) {
      return Error(op, absl::StrCat("'", name.text, "' is a word: only == and != apply"));
    }
    absl::StatusOr<FilterValue> v = Value(kind.number, name.text);
    if (!v.ok()) return v.status();
    n->values.push_back(*std::move(v));
    return n;
  }

  absl::string_view text_;
  Subject subject_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
};

// What an attribute is on the thing filtered: numbers, or the words it has (an agent speaks
// several languages: equality means "one of them").
struct Attribute {
  double number = 0;
  std::vector<std::string> words;
};

Attribute OfCase(const Case& c, const std::string& name) {
  const CaseSpec& s = c.spec;
  Attribute a;
  if (name == "channel") {
    a.words.emplace_back(ChannelName(s.channel));
  } else if (name == "topic") {
    a.words.push_back(s.topic);
  } else if (name == "language") {
    a.words.push_back(s.language);
  } else if (name == "customer_value") {
    a.number = s.customer_value;
  } else if (name == "sentiment") {
    a.number = s.has_sentiment ? s.sentiment : 0;
  } else if (name == "reach") {
    a.number = static_cast<double>(s.reach);
  } else if (name == "public") {
    a.number = s.is_public ? 1 : 0;
  } else if (name == "priority") {
    a.number = s.explicit_priority;
  } else if (name == "authority_needed") {
    a.number = static_cast<double>(s.authority_needed);
  } else if (name == "repeat") {
    a.number = c.repeat_of.empty() ? 0 : 1;
  } else if (absl::StartsWith(name, "skill.")) {
    absl::string_view skill = absl::string_view(name).substr(6);
    for (const SkillRequirement& r : s.required_skills) {
      if (r.skill == skill) a.number = r.min_proficiency;
    }
  }
  return a;
}

Attribute OfAgent(const Agent& agent, const std::string& name) {
  Attribute a;
  if (name == "language") {
    a.words = agent.languages;
  } else if (name == "id") {
    a.words.push_back(agent.id);
  } else if (name == "authority") {
    a.number = static_cast<double>(agent.authority_limit);
  } else if (absl::StartsWith(name, "skill.")) {
    a.number = agent.ProficiencyOf(absl::string_view(name).substr(6));
  }
  return a;
}

bool Equal(const Attribute& a, const FilterValue& v) {
  if (v.is_number) return a.number == v.number;
  for (const std::string& w : a.words) {
    if (w == v.word) return true;
  }
  return false;
}

template <typename Lookup>
bool Evaluate(const Node& n, const Lookup& lookup) {
  switch (n.kind) {
    case Node::Kind::kAnd:
      return Evaluate(*n.left, lookup) && Evaluate(*n.right, lookup);
    case Node::Kind::kOr:
      return Evaluate(*n.left, lookup) || Evaluate(*n.right, lookup);
    case Node::Kind::kNot:
      return !Evaluate(*n.left, lookup);
    case Node::Kind::kTruth:
      return lookup(n.attribute).number != 0;
    case Node::Kind::kIn: {
      Attribute a = lookup(n.attribute);
      for (const FilterValue& v : n.values) {
        if (Equal(a, v)) return true;
      }
      return false;
    }
    case Node::Kind::kCompare: {
      Attribute a = lookup(n.attribute);
      const FilterValue& v = n.values[0];
      switch (n.op) {
        case Node::Op::kEq:
          return Equal(a, v);
        case Node::Op::kNe:
          return !Equal(a, v);
        case Node::Op::kLt:
          return a.number < v.number;
        case Node::Op::kLe:
          return a.number <= v.number;
        case Node::Op::kGt:
          return a.number > v.number;
        case Node::Op::kGe:
          return a.number >= v.number;
      }
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<CaseFilter> CaseFilter::Parse(absl::string_view text, Subject subject) {
  CaseFilter f;
  f.text_ = std::string(text);
  f.subject_ = subject;
  if (text.find_first_not_of(" \t\r\n") == absl::string_view::npos) return f;
  absl::StatusOr<std::shared_ptr<const Node>> root = Parser(text, subject).Run();
  if (!root.ok()) return root.status();
  f.root_ = *std::move(root);
  return f;
}

bool CaseFilter::Matches(const Case& c) const {
  if (root_ == nullptr) return true;
  return Evaluate(*root_, [&](const std::string& name) { return OfCase(c, name); });
}

bool CaseFilter::Matches(const Agent& a) const {
  if (root_ == nullptr) return true;
  return Evaluate(*root_, [&](const std::string& name) { return OfAgent(a, name); });
}

}  // namespace caserouter
