// Tokens of the tcp-estats query language (chevrotain lexer).
// Keywords are case-insensitive and use longer_alt Identifier, so `printer`
// or `order_by` stay identifiers.
import { createToken, Lexer, type TokenType, type IToken, type CustomPatternMatcherReturn } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

function kw(name: string, word: string): TokenType {
  return createToken({ name, pattern: new RegExp(word, 'i'), longer_alt: Identifier, label: `'${word}'` });
}

// clause keywords
export const On = kw('On', 'on');
export const Where = kw('Where', 'where');
export const Print = kw('Print', 'print');
export const By = kw('By', 'by');
export const Every = kw('Every', 'every');
export const Sort = kw('Sort', 'sort');
export const Limit = kw('Limit', 'limit');
// other keywords
export const Asc = kw('Asc', 'asc');
export const Desc = kw('Desc', 'desc');
export const As = kw('As', 'as');
export const And = kw('And', 'and');
export const Or = kw('Or', 'or');
export const Not = kw('Not', 'not');
export const In = kw('In', 'in');

export const CLAUSE_KEYWORDS = ['on', 'where', 'print', 'by', 'every', 'sort', 'limit'] as const;
export const KEYWORDS = [...CLAUSE_KEYWORDS, 'asc', 'desc', 'as', 'and', 'or', 'not', 'in'] as const;

/**
 * IPv6 address, optionally with a /prefix. Any run of hex digits, dots and
 * colons that contains a colon is taken as an address (the language has no
 * other use for ':'); the checker validates it.
 */
const v6re = /[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:\/[0-9]+)?/y;
function matchV6(text: string, offset: number): CustomPatternMatcherReturn | null {
  v6re.lastIndex = offset;
  const m = v6re.exec(text);
  if (!m) return null;
  // needs at least two colons (`a:b` is not an address, and is not valid anyway)
  const colons = m[0].split(':').length - 1;
  if (colons < 2) return null;
  return m as unknown as CustomPatternMatcherReturn;
}
export const Addr6 = createToken({
  name: 'Addr6',
  pattern: { exec: matchV6 },
  line_breaks: false,
  start_chars_hint: [...'0123456789abcdefABCDEF:'],
  label: 'an IPv6 address',
});
export const Addr4 = createToken({ name: 'Addr4', pattern: /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(?:\/[0-9]+)?/, label: 'an IPv4 address' });
/**
 * A number, with an optional unit glued to it: `1_000`, `2.5`, `50ms`,
 * `1MiB`, `10%`. A `%` right after a number is a percentage unless a
 * name, digit or `(` follows it directly (`10%3` is a modulo).
 */
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[A-Za-z_][A-Za-z0-9_]*|%(?![A-Za-z0-9_(.]))?/,
  label: 'a number',
});
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/, label: 'a string' });
/** An unterminated string runs to the end of the line; the checker reports it. */
export const BadString = createToken({ name: 'BadString', pattern: /"(?:[^"\\\n]|\\.)*|'(?:[^'\\\n]|\\.)*/, label: 'a string' });

export const EqEq = createToken({ name: 'EqEq', pattern: /==/, label: "'=='" });
export const Match = createToken({ name: 'Match', pattern: /=~/, label: "'=~'" });
export const Eq = createToken({ name: 'Eq', pattern: /=/, label: "'='" });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, label: "'!='" });
export const NotMatch = createToken({ name: 'NotMatch', pattern: /!~/, label: "'!~'" });
export const Bang = createToken({ name: 'Bang', pattern: /!/, label: "'!'" });
export const Le = createToken({ name: 'Le', pattern: /<=/, label: "'<='" });
export const Ge = createToken({ name: 'Ge', pattern: />=/, label: "'>='" });
export const Lt = createToken({ name: 'Lt', pattern: /</, label: "'<'" });
export const Gt = createToken({ name: 'Gt', pattern: />/, label: "'>'" });
export const AndAnd = createToken({ name: 'AndAnd', pattern: /&&/, label: "'&&'" });
export const OrOr = createToken({ name: 'OrOr', pattern: /\|\|/, label: "'||'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true, label: 'end of line' });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\r\v]+/, group: Lexer.SKIPPED });
/** `#` to the end of the line (this also covers a `#!` first line). */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });
/** a backslash at the end of a line joins the next line to this one */
export const LineJoin = createToken({ name: 'LineJoin', pattern: /\\[ \t]*\r?\n/, line_breaks: true, group: Lexer.SKIPPED });

/** Order matters: the first pattern that matches wins (keywords use longer_alt). */
/**
 * chevrotain's checks of the lexer and grammar definitions (~15 ms at every
 * start) find mistakes in this source, not in the user's program: they run
 * when TCP_ESTATS_GRAMMAR_CHECK=1 (test/unit/grammar-check.test.js, so CI), and
 * are skipped otherwise.
 */
export const SKIP_VALIDATIONS = process.env.TCP_ESTATS_GRAMMAR_CHECK !== '1';

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Comment, LineJoin, Newline,
  StringLit, BadString,
  Addr6, Addr4, NumberLit,
  On, Where, Print, By, Every, Sort, Limit, Asc, Desc, As, And, Or, Not, In,
  Identifier,
  EqEq, Match, Eq, NotEq, NotMatch, Bang, Le, Ge, Lt, Gt, AndAnd, OrOr,
  Plus, Minus, Star, Slash, Percent, LParen, RParen, Comma, Dot, Semicolon,
];

export const lexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false, skipValidations: SKIP_VALIDATIONS });

export type { IToken, TokenType };
