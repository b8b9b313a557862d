// Parser: tokens → AST. One chevrotain parser instance, reused for every
// statement. A program is first cut into statements (at `;` and at line ends,
// see splitStatements), and each statement is parsed on its own, so one
// syntax error per statement is reported and the other statements are still
// parsed and checked.
import { EmbeddedActionsParser, EOF, type IToken, type TokenType, type IParserErrorMessageProvider, type IRecognitionException } from 'chevrotain';
import * as T from './tokens.js';
import type {
  Span, Expr, BinaryOp, Clause, PrintItem, StatementAst, ProgramAst, OnClause, WhereClause, PrintClause,
  ByClause, EveryClause, SortClause, LimitClause, ClauseKind,
} from './ast.js';
import { spanJoin, depthOf } from './ast.js';
import { mkDiag, type Diagnostic } from './diagnostics.js';

export const MAX_SOURCE = 1 << 20;
export const MAX_STATEMENTS = 1000;
export const MAX_PAREN_DEPTH = 64;
export const MAX_EXPR_DEPTH = 200;

export function tokSpan(t: IToken): Span {
  return {
    line: t.startLine ?? 1, col: t.startColumn ?? 1,
    endLine: t.endLine ?? t.startLine ?? 1, endCol: (t.endColumn ?? t.startColumn ?? 0) + 1,
    offset: t.startOffset, endOffset: (t.endOffset ?? t.startOffset) + 1,
  };
}

const RULE_WHAT: Record<string, string> = {
  statement: 'a clause (on, where, print, by, every, sort, limit)',
  clause: 'a clause (on, where, print, by, every, sort, limit)',
  item: 'a print item (an expression, TABLE.* or *)',
  inRhs: "a list in parentheses or a prefix after 'in'",
};
const EXPR_RULES = new Set(['expr', 'orExpr', 'andExpr', 'notExpr', 'comparison', 'additive', 'multiplicative', 'unary', 'primary', 'atom']);

function describe(t: IToken | undefined): string {
  if (!t || t.tokenType === EOF) return 'the end of the statement';
  if (t.tokenType === T.Newline) return 'the end of the line';
  return `'${t.image}'`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${expected.LABEL ?? expected.name}, found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const what = RULE_WHAT[ruleName] ?? (EXPR_RULES.has(ruleName) ? 'an expression' : ruleName);
    return `expected ${what}, found ${describe(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    const what = RULE_WHAT[ruleName] ?? (EXPR_RULES.has(ruleName) ? 'an expression' : ruleName);
    return `expected ${what}, found ${describe(actual[0])}`;
  },
};

const CMP: ReadonlyMap<TokenType, BinaryOp> = new Map<TokenType, BinaryOp>([
  [T.EqEq, '=='], [T.Eq, '=='], [T.NotEq, '!='], [T.Lt, '<'], [T.Le, '<='], [T.Gt, '>'], [T.Ge, '>='],
]);

class QueryParser extends EmbeddedActionsParser {
  constructor() {
    super(T.ALL_TOKENS, { maxLookahead: 3, errorMessageProvider: messages, recoveryEnabled: false, skipValidations: T.SKIP_VALIDATIONS });
    this.performSelfAnalysis();
  }

  public statement = this.RULE('statement', (): Clause[] => {
    const clauses: Clause[] = [];
    this.AT_LEAST_ONE(() => {
      const c = this.SUBRULE(this.clause);
      this.ACTION(() => clauses.push(c));
    });
    return clauses;
  });

  private clause = this.RULE('clause', (): Clause => this.OR([
    { ALT: () => this.SUBRULE(this.onClause) },
    { ALT: () => this.SUBRULE(this.whereClause) },
    { ALT: () => this.SUBRULE(this.printClause) },
    { ALT: () => this.SUBRULE(this.byClause) },
    { ALT: () => this.SUBRULE(this.everyClause) },
    { ALT: () => this.SUBRULE(this.sortClause) },
    { ALT: () => this.SUBRULE(this.limitClause) },
  ]));

  private onClause = this.RULE('onClause', (): OnClause => {
    const kw = this.CONSUME(T.On);
    const evs: IToken[] = [this.CONSUME(T.Identifier)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      evs.push(this.CONSUME2(T.Identifier));
    });
    return this.ACTION(() => {
      const events = evs.map(t => ({ name: t.image, span: tokSpan(t) }));
      return { kind: 'on', events, span: spanJoin(tokSpan(kw), events[events.length - 1]!.span) };
    });
  });

  private whereClause = this.RULE('whereClause', (): WhereClause => {
    const kw = this.CONSUME(T.Where);
    const expr = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'where', expr, span: spanJoin(tokSpan(kw), expr.span) }));
  });

  private printClause = this.RULE('printClause', (): PrintClause => {
    const kw = this.CONSUME(T.Print);
    const items: PrintItem[] = [this.SUBRULE(this.item)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      items.push(this.SUBRULE2(this.item));
    });
    return this.ACTION(() => ({ kind: 'print', items, span: spanJoin(tokSpan(kw), items[items.length - 1]!.span) }));
  });

  private item = this.RULE('item', (): PrintItem => this.OR([
    {
      ALT: () => {
        const t = this.CONSUME(T.Star);
        return this.ACTION(() => ({ kind: 'star', span: tokSpan(t) }) as PrintItem);
      },
    },
    {
      ALT: () => {
        const expr = this.SUBRULE(this.expr);
        let aliasTok: IToken | undefined;
        this.OPTION(() => {
          this.CONSUME(T.As);
          aliasTok = this.OR2([
            { ALT: () => this.CONSUME(T.Identifier) },
            { ALT: () => this.CONSUME(T.StringLit) },
          ]);
        });
        return this.ACTION((): PrintItem => {
          if (!aliasTok) return { kind: 'expr', expr, alias: null, aliasSpan: null, span: expr.span };
          const aliasSpan = tokSpan(aliasTok);
          const alias = aliasTok.tokenType === T.StringLit ? unquote(aliasTok.image) : aliasTok.image;
          return { kind: 'expr', expr, alias, aliasSpan, span: spanJoin(expr.span, aliasSpan) };
        });
      },
    },
  ]));

  private byClause = this.RULE('byClause', (): ByClause => {
    const kw = this.CONSUME(T.By);
    const keys: Expr[] = [this.SUBRULE(this.expr)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      keys.push(this.SUBRULE2(this.expr));
    });
    return this.ACTION(() => ({ kind: 'by', keys, span: spanJoin(tokSpan(kw), keys[keys.length - 1]!.span) }));
  });

  private everyClause = this.RULE('everyClause', (): EveryClause => {
    const kw = this.CONSUME(T.Every);
    const expr = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'every', expr, span: spanJoin(tokSpan(kw), expr.span) }));
  });

  private sortClause = this.RULE('sortClause', (): SortClause => {
    const kw = this.CONSUME(T.Sort);
    const expr = this.SUBRULE(this.expr);
    let dir: IToken | undefined;
    this.OPTION(() => {
      dir = this.OR([
        { ALT: () => this.CONSUME(T.Asc) },
        { ALT: () => this.CONSUME(T.Desc) },
      ]);
    });
    return this.ACTION(() => ({
      kind: 'sort', expr, desc: dir?.tokenType === T.Desc,
      span: spanJoin(tokSpan(kw), dir ? tokSpan(dir) : expr.span),
    }));
  });

  private limitClause = this.RULE('limitClause', (): LimitClause => {
    const kw = this.CONSUME(T.Limit);
    const expr = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'limit', expr, span: spanJoin(tokSpan(kw), expr.span) }));
  });

  // ---- expressions: precedence as a chain, lowest first ----

  private expr = this.RULE('expr', (): Expr => this.SUBRULE(this.orExpr));

  private orExpr = this.RULE('orExpr', (): Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Or) }, { ALT: () => this.CONSUME(T.OrOr) }]);
      const right = this.SUBRULE2(this.andExpr);
      left = this.ACTION(() => bin('or', left, right, op));
    });
    return left;
  });

  private andExpr = this.RULE('andExpr', (): Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.And) }, { ALT: () => this.CONSUME(T.AndAnd) }]);
      const right = this.SUBRULE2(this.notExpr);
      left = this.ACTION(() => bin('and', left, right, op));
    });
    return left;
  });

  private notExpr = this.RULE('notExpr', (): Expr => {
    const ops: IToken[] = [];
    this.MANY(() => {
      ops.push(this.OR([{ ALT: () => this.CONSUME(T.Not) }, { ALT: () => this.CONSUME(T.Bang) }]));
    });
    const arg = this.SUBRULE(this.comparison);
    return this.ACTION(() => {
      let e = arg;
      for (let i = ops.length - 1; i >= 0; i--) {
        const s = tokSpan(ops[i]!);
        e = { kind: 'unary', op: 'not', arg: e, opSpan: s, span: spanJoin(s, e.span) };
      }
      return e;
    });
  });

  private comparison = this.RULE('comparison', (): Expr => {
    const left = this.SUBRULE(this.additive);
    let result: Expr = left;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            const op = this.OR2([
              { ALT: () => this.CONSUME(T.EqEq) }, { ALT: () => this.CONSUME(T.Eq) }, { ALT: () => this.CONSUME(T.NotEq) },
              { ALT: () => this.CONSUME(T.Lt) }, { ALT: () => this.CONSUME(T.Le) }, { ALT: () => this.CONSUME(T.Gt) },
              { ALT: () => this.CONSUME(T.Ge) },
            ]);
            const right = this.SUBRULE2(this.additive);
            result = this.ACTION(() => bin(CMP.get(op.tokenType)!, left, right, op));
          },
        },
        {
          ALT: () => {
            const op = this.OR3([{ ALT: () => this.CONSUME(T.Match) }, { ALT: () => this.CONSUME(T.NotMatch) }]);
            const right = this.SUBRULE3(this.additive);
            result = this.ACTION((): Expr => ({
              kind: 'match', negated: op.tokenType === T.NotMatch, left, right, opSpan: tokSpan(op), span: spanJoin(left.span, right.span),
            }));
          },
        },
        {
          ALT: () => {
            let notTok: IToken | undefined;
            this.OPTION2(() => { notTok = this.CONSUME(T.Not); });
            const inTok = this.CONSUME(T.In);
            const rhs = this.SUBRULE(this.inRhs);
            result = this.ACTION((): Expr => ({
              kind: 'in', negated: notTok !== undefined, left, list: rhs.list, parens: rhs.parens,
              opSpan: notTok ? spanJoin(tokSpan(notTok), tokSpan(inTok)) : tokSpan(inTok),
              span: spanJoin(left.span, rhs.span),
            }));
          },
        },
      ]);
    });
    return result;
  });

  private inRhs = this.RULE('inRhs', (): { list: Expr[]; parens: boolean; span: Span } => this.OR([
    {
      ALT: () => {
        const lp = this.CONSUME(T.LParen);
        const list: Expr[] = [this.SUBRULE(this.expr)];
        this.MANY(() => {
          this.CONSUME(T.Comma);
          list.push(this.SUBRULE2(this.expr));
        });
        const rp = this.CONSUME(T.RParen);
        return this.ACTION(() => ({ list, parens: true, span: spanJoin(tokSpan(lp), tokSpan(rp)) }));
      },
    },
    {
      ALT: () => {
        const a = this.SUBRULE(this.atom);
        return this.ACTION(() => ({ list: [a], parens: false, span: a.span }));
      },
    },
  ]));

  private additive = this.RULE('additive', (): Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.ACTION(() => bin(op.tokenType === T.Plus ? '+' : '-', left, right, op));
    });
    return left;
  });

  private multiplicative = this.RULE('multiplicative', (): Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }, { ALT: () => this.CONSUME(T.Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => bin(op.tokenType === T.Star ? '*' : op.tokenType === T.Slash ? '/' : '%', left, right, op));
    });
    return left;
  });

  private unary = this.RULE('unary', (): Expr => {
    const ops: IToken[] = [];
    this.MANY(() => { ops.push(this.CONSUME(T.Minus)); });
    const arg = this.SUBRULE(this.primary);
    return this.ACTION(() => {
      let e = arg;
      for (let i = ops.length - 1; i >= 0; i--) {
        const s = tokSpan(ops[i]!);
        e = { kind: 'unary', op: '-', arg: e, opSpan: s, span: spanJoin(s, e.span) };
      }
      return e;
    });
  });

  private primary = this.RULE('primary', (): Expr => this.OR([
    {
      ALT: () => {
        const lp = this.CONSUME(T.LParen);
        const inner = this.SUBRULE(this.expr);
        const rp = this.CONSUME(T.RParen);
        return this.ACTION((): Expr => ({ kind: 'paren', inner, span: spanJoin(tokSpan(lp), tokSpan(rp)) }));
      },
    },
    { ALT: () => this.SUBRULE(this.atom) },
  ]));

  private atom = this.RULE('atom', (): Expr => this.OR([
    { ALT: () => { const t = this.CONSUME(T.NumberLit); return this.ACTION((): Expr => ({ kind: 'num', raw: t.image, span: tokSpan(t) })); } },
    { ALT: () => { const t = this.CONSUME(T.StringLit); return this.ACTION((): Expr => ({ kind: 'str', value: unquote(t.image), raw: t.image, terminated: true, span: tokSpan(t) })); } },
    { ALT: () => { const t = this.CONSUME(T.BadString); return this.ACTION((): Expr => ({ kind: 'str', value: unquote(t.image + t.image[0]), raw: t.image, terminated: false, span: tokSpan(t) })); } },
    { ALT: () => { const t = this.CONSUME(T.Addr4); return this.ACTION((): Expr => ({ kind: 'addr', raw: t.image, family: 4, span: tokSpan(t) })); } },
    { ALT: () => { const t = this.CONSUME(T.Addr6); return this.ACTION((): Expr => ({ kind: 'addr', raw: t.image, family: 6, span: tokSpan(t) })); } },
    { ALT: () => this.SUBRULE(this.nameOrCall) },
  ]));

  private nameOrCall = this.RULE('nameOrCall', (): Expr => {
    const id = this.CONSUME(T.Identifier);
    let second: IToken | undefined;
    let star: IToken | undefined;
    let call: { args: Expr[]; rp: IToken } | undefined;
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.OR([
        { ALT: () => { second = this.CONSUME2(T.Identifier); } },
        { ALT: () => { star = this.CONSUME(T.Star); } },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      const args: Expr[] = [];
      this.OPTION3(() => {
        args.push(this.SUBRULE(this.expr));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          args.push(this.SUBRULE2(this.expr));
        });
      });
      const rp = this.CONSUME(T.RParen);
      call = { args, rp };
    });
    return this.ACTION((): Expr => {
      const s0 = tokSpan(id);
      if (star) return { kind: 'tablestar', table: id.image, span: spanJoin(s0, tokSpan(star)) };
      const nameTok = second ?? id;
      const nameSpan = tokSpan(nameTok);
      const name = nameTok.image;
      if (call) {
        const full = second ? `${id.image}.${second.image}` : id.image;
        return { kind: 'call', name: full, nameSpan: spanJoin(s0, nameSpan), args: call.args, span: spanJoin(s0, tokSpan(call.rp)) };
      }
      return { kind: 'name', table: second ? id.image : null, name, tableSpan: second ? s0 : null, nameSpan, span: spanJoin(s0, nameSpan) };
    });
  });
}

function bin(op: BinaryOp, left: Expr, right: Expr, opTok: IToken): Expr {
  return { kind: 'binary', op, left, right, opSpan: tokSpan(opTok), span: spanJoin(left.span, right.span) };
}

export function unquote(raw: string): string {
  const body = raw.slice(1, -1);
  return body.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

let instance: QueryParser | undefined;
function parserInstance(): QueryParser {
  instance ??= new QueryParser();
  return instance;
}

/** The parser's grammar, for the railroad diagram generator. */
export function serializedGrammar() {
  return parserInstance().getSerializedGastProductions();
}

/** Tokens that cannot end a statement: a line that ends with one goes on on the next line. */
const CONTINUES = new Set<TokenType>([
  T.Comma, T.LParen, T.And, T.Or, T.Not, T.In, T.As, T.AndAnd, T.OrOr, T.Bang,
  T.EqEq, T.Eq, T.NotEq, T.Lt, T.Le, T.Gt, T.Ge, T.Match, T.NotMatch,
  T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Dot,
  T.On, T.Where, T.Print, T.By, T.Every, T.Sort, T.Limit,
]);

const CLAUSE_START = new Set<TokenType>([T.On, T.Where, T.Print, T.By, T.Every, T.Sort, T.Limit]);

/**
 * Cut the token stream into statements. A `;` always ends a statement; a line
 * end ends one unless it is inside parentheses, the line ends with a token
 * that needs more (`,`, an operator, a clause keyword), or the next line is
 * indented deeper than the statement's first line, or the statement has no
 * print yet and the next line starts with a clause it does not have yet. A
 * line that starts with a clause keyword the statement already has, or that
 * follows a statement with print, starts a new statement (unless indented).
 */
export function splitStatements(tokens: readonly IToken[]): IToken[][] {
  const out: IToken[][] = [];
  let cur: IToken[] = [];
  let depth = 0;
  const flush = () => { if (cur.length) out.push(cur); cur = []; depth = 0; };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType === T.Semicolon) { flush(); continue; }
    if (t.tokenType === T.Newline) {
      if (!cur.length) continue;
      let j = i + 1;
      while (j < tokens.length && tokens[j]!.tokenType === T.Newline) j++;
      const next = tokens[j];
      const indented = next !== undefined && next.tokenType !== T.Semicolon && (next.startColumn ?? 1) > (cur[0]!.startColumn ?? 1);
      // a line that is not indented and starts with a clause keyword starts a new statement…
      let fresh = next !== undefined && !indented && CLAUSE_START.has(next.tokenType);
      // …unless the statement so far has no print and lacks that clause: `on close⏎print comm` is one statement
      if (fresh && !cur.some(t => t.tokenType === T.Print) && !cur.some(t => t.tokenType === next!.tokenType)) fresh = false;
      if (fresh) { flush(); continue; }
      if (depth > 0 || CONTINUES.has(cur[cur.length - 1]!.tokenType) || indented || (next !== undefined && CLAUSE_START.has(next.tokenType) && !cur.some(t => t.tokenType === T.Print))) continue;
      flush();
      continue;
    }
    if (t.tokenType === T.LParen) depth++;
    else if (t.tokenType === T.RParen && depth > 0) depth--;
    cur.push(t);
  }
  flush();
  return out;
}

function statementText(_source: string, toks: readonly IToken[]): string {
  // token images joined by single spaces where the source had a gap (drops comments and line ends)
  let out = '';
  let prevEnd = -1;
  for (const t of toks) {
    if (prevEnd >= 0 && t.startOffset > prevEnd + 1) out += ' ';
    out += t.image;
    prevEnd = t.endOffset ?? t.startOffset;
  }
  return out;
}

export interface ParseResult { program: ProgramAst; diagnostics: Diagnostic[] }

const ZERO: Span = { line: 1, col: 1, endLine: 1, endCol: 2, offset: 0, endOffset: 1 };

/** Lex and parse a whole program. Statements with syntax errors are left out of the AST. */
export function parse(source: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const statements: StatementAst[] = [];
  if (source.length > MAX_SOURCE) {
    diagnostics.push(mkDiag('error', 'E003', `program is too long (${source.length} characters; the limit is ${MAX_SOURCE})`, ZERO));
    return { program: { kind: 'program', statements }, diagnostics };
  }
  const lexed = T.lexer.tokenize(source);
  for (const e of lexed.errors) {
    const span: Span = { line: e.line ?? 1, col: e.column ?? 1, endLine: e.line ?? 1, endCol: (e.column ?? 1) + Math.max(1, e.length), offset: e.offset, endOffset: e.offset + Math.max(1, e.length) };
    const ch = source.slice(e.offset, e.offset + Math.max(1, e.length));
    diagnostics.push(mkDiag('error', 'E001', `unexpected character${ch.length > 1 ? 's' : ''} '${ch}'`, span,
      ch.startsWith('`') ? 'strings are written in double or single quotes' : undefined));
  }
  for (const t of lexed.tokens) {
    if (t.tokenType === T.BadString) diagnostics.push(mkDiag('error', 'E002', 'unterminated string', tokSpan(t), `close it with ${t.image[0]} on the same line`));
  }
  const groups = splitStatements(lexed.tokens);
  if (groups.length > MAX_STATEMENTS) {
    diagnostics.push(mkDiag('error', 'E003', `too many statements (${groups.length}; the limit is ${MAX_STATEMENTS})`, tokSpan(groups[MAX_STATEMENTS]![0]!)));
    return { program: { kind: 'program', statements }, diagnostics };
  }
  const p = parserInstance();
  for (const toks of groups) {
    // guard the recursive descent: parentheses deeper than MAX_PAREN_DEPTH are refused before parsing
    let depth = 0;
    let tooDeep: IToken | undefined;
    let unary = 0;
    for (const t of toks) {
      if (t.tokenType === T.LParen) { depth++; if (depth > MAX_PAREN_DEPTH && !tooDeep) tooDeep = t; }
      else if (t.tokenType === T.RParen) depth = Math.max(0, depth - 1);
      if (t.tokenType === T.Minus || t.tokenType === T.Not || t.tokenType === T.Bang) { unary++; if (unary > MAX_PAREN_DEPTH && !tooDeep) tooDeep = t; }
      else unary = 0;
    }
    if (tooDeep) {
      diagnostics.push(mkDiag('error', 'E004', `nesting is too deep (the limit is ${MAX_PAREN_DEPTH} levels)`, tokSpan(tooDeep), 'split the expression or remove parentheses'));
      continue;
    }
    p.input = toks;
    const clauses = p.statement();
    if (p.errors.length) {
      for (const e of p.errors) diagnostics.push(syntaxDiag(e, toks));
      continue;
    }
    const st = buildStatement(clauses, toks, source, diagnostics);
    if (st) statements.push(st);
  }
  if (!groups.length && !diagnostics.length) {
    diagnostics.push(mkDiag('error', 'E013', 'the program has no statements', ZERO, 'write at least one statement, e.g. `print SmoothedRTT`'));
  }
  return { program: { kind: 'program', statements }, diagnostics };
}

function syntaxDiag(e: IRecognitionException, toks: readonly IToken[]): Diagnostic {
  let t = e.token;
  let span: Span;
  if (!t || t.tokenType === EOF || Number.isNaN(t.startOffset)) {
    const last = toks[toks.length - 1]!;
    const s = tokSpan(last);
    span = { line: s.endLine, col: s.endCol, endLine: s.endLine, endCol: s.endCol + 1, offset: s.endOffset, endOffset: s.endOffset + 1 };
    t = undefined as unknown as IToken;
  } else span = tokSpan(t);
  let hint: string | undefined;
  if (t && t.tokenType === T.Identifier && e.name === 'NotAllInputParsedException') hint = 'a clause starts with on, where, print, by, every, sort or limit; separate items with commas';
  else if (t && (t.tokenType === T.Identifier || t.tokenType === T.NumberLit) && /expected ','|expected '\)'/.test(e.message)) hint = 'separate items with commas';
  else if (t && T.CLAUSE_KEYWORDS.includes(t.image.toLowerCase() as never) && /expression|a name/.test(e.message)) hint = `'${t.image}' is a keyword; a value is missing before it`;
  return mkDiag('error', 'E010', e.message, span, hint);
}

function buildStatement(clauses: readonly Clause[], toks: readonly IToken[], source: string, diags: Diagnostic[]): StatementAst | null {
  const seen = new Map<ClauseKind, Clause>();
  let dup = false;
  for (const c of clauses) {
    const prev = seen.get(c.kind);
    if (prev) {
      dup = true;
      const hint = c.kind === 'where' ? 'combine the conditions with and'
        : c.kind === 'print' || c.kind === 'by' || c.kind === 'on' ? `list everything in one ${c.kind}, separated by commas`
        : `a statement has one ${c.kind} clause`;
      const kwSpan: Span = { ...c.span, endLine: c.span.line, endCol: c.span.col + c.kind.length, endOffset: c.span.offset + c.kind.length };
      diags.push(mkDiag('error', 'E012', `'${c.kind}' appears twice in this statement (first at ${prev.span.line}:${prev.span.col})`, kwSpan, hint));
      continue;
    }
    seen.set(c.kind, c);
  }
  const span = spanJoin(tokSpan(toks[0]!), tokSpan(toks[toks.length - 1]!));
  if (!seen.has('print')) {
    diags.push(mkDiag('error', 'E011', 'this statement has no print clause', span, 'say what to show, e.g. `print raddr, SmoothedRTT`; a line break after print ends a statement; indent continuation lines'));
    return null;
  }
  for (const c of clauses) {
    const check = (e: Expr) => {
      if (depthOf(e) > MAX_EXPR_DEPTH) { diags.push(mkDiag('error', 'E004', `expression is nested too deeply (the limit is ${MAX_EXPR_DEPTH})`, e.span, 'split it into simpler parts')); dup = true; }
    };
    if (c.kind === 'where' || c.kind === 'every' || c.kind === 'sort' || c.kind === 'limit') check(c.expr);
    else if (c.kind === 'by') c.keys.forEach(check);
    else if (c.kind === 'print') c.items.forEach(it => { if (it.kind === 'expr') check(it.expr); });
  }
  if (dup) return null;
  const get = <K extends ClauseKind>(k: K) => (seen.get(k) ?? null) as Extract<Clause, { kind: K }> | null;
  return {
    kind: 'statement', clauses, span, text: statementText(source, toks),
    on: get('on'), where: get('where'), print: get('print'), by: get('by'), every: get('every'), sort: get('sort'), limit: get('limit'),
  };
}
