// AST of the query language, as produced by the parser (names not resolved yet).

/**
 * A place in the source. line/col are 1-based; endLine/endCol point just past
 * the last character (exclusive), offsets are 0-based and endOffset exclusive.
 */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  readonly offset: number;
  readonly endOffset: number;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

export interface NumLit { readonly kind: 'num'; readonly raw: string; readonly span: Span }
export interface StrLit { readonly kind: 'str'; readonly value: string; readonly raw: string; readonly terminated: boolean; readonly span: Span }
export interface AddrLit { readonly kind: 'addr'; readonly raw: string; readonly family: 4 | 6; readonly span: Span }
/** a name, maybe table-qualified: `SmoothedRTT`, `Perf.SmoothedRTT`, `dport` */
export interface NameRef { readonly kind: 'name'; readonly table: string | null; readonly name: string; readonly tableSpan: Span | null; readonly nameSpan: Span; readonly span: Span }
/** `Perf.*` */
export interface TableStar { readonly kind: 'tablestar'; readonly table: string; readonly span: Span }
export interface Call { readonly kind: 'call'; readonly name: string; readonly nameSpan: Span; readonly args: readonly Expr[]; readonly span: Span }
export interface Unary { readonly kind: 'unary'; readonly op: '-' | 'not'; readonly arg: Expr; readonly opSpan: Span; readonly span: Span }
export interface Binary { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly opSpan: Span; readonly span: Span }
/** `x =~ "re"`, `x !~ "re"` */
export interface MatchExpr { readonly kind: 'match'; readonly negated: boolean; readonly left: Expr; readonly right: Expr; readonly opSpan: Span; readonly span: Span }
/** `x in (a, b)`, `x not in (a, b)`, `addr in 10.0.0.0/8` (list of one, parens: false) */
export interface InExpr { readonly kind: 'in'; readonly negated: boolean; readonly left: Expr; readonly list: readonly Expr[]; readonly parens: boolean; readonly opSpan: Span; readonly span: Span }
export interface Paren { readonly kind: 'paren'; readonly inner: Expr; readonly span: Span }

export type Expr = NumLit | StrLit | AddrLit | NameRef | TableStar | Call | Unary | Binary | MatchExpr | InExpr | Paren;

export interface StarItem { readonly kind: 'star'; readonly span: Span }
export interface ExprItem { readonly kind: 'expr'; readonly expr: Expr; readonly alias: string | null; readonly aliasSpan: Span | null; readonly span: Span }
export type PrintItem = StarItem | ExprItem;

export interface OnClause { readonly kind: 'on'; readonly events: ReadonlyArray<{ readonly name: string; readonly span: Span }>; readonly span: Span }
export interface WhereClause { readonly kind: 'where'; readonly expr: Expr; readonly span: Span }
export interface PrintClause { readonly kind: 'print'; readonly items: readonly PrintItem[]; readonly span: Span }
export interface ByClause { readonly kind: 'by'; readonly keys: readonly Expr[]; readonly span: Span }
export interface EveryClause { readonly kind: 'every'; readonly expr: Expr; readonly span: Span }
export interface SortClause { readonly kind: 'sort'; readonly expr: Expr; readonly desc: boolean; readonly span: Span }
export interface LimitClause { readonly kind: 'limit'; readonly expr: Expr; readonly span: Span }

export type Clause = OnClause | WhereClause | PrintClause | ByClause | EveryClause | SortClause | LimitClause;
export type ClauseKind = Clause['kind'];
export const CLAUSE_ORDER: readonly ClauseKind[] = ['on', 'where', 'print', 'by', 'every', 'sort', 'limit'];

export interface StatementAst {
  readonly kind: 'statement';
  /** clauses in source order (duplicates are reported by the parser and dropped here) */
  readonly clauses: readonly Clause[];
  readonly on: OnClause | null;
  readonly where: WhereClause | null;
  readonly print: PrintClause | null;
  readonly by: ByClause | null;
  readonly every: EveryClause | null;
  readonly sort: SortClause | null;
  readonly limit: LimitClause | null;
  readonly span: Span;
  /** the statement's source text */
  readonly text: string;
}

export interface ProgramAst { readonly kind: 'program'; readonly statements: readonly StatementAst[] }

export function spanJoin(a: Span, b: Span): Span {
  return { line: a.line, col: a.col, offset: a.offset, endLine: b.endLine, endCol: b.endCol, endOffset: b.endOffset };
}

/** Children of an expression (for walks). */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'call': return e.args;
    case 'unary': return [e.arg];
    case 'binary': case 'match': return [e.left, e.right];
    case 'in': return [e.left, ...e.list];
    case 'paren': return [e.inner];
    default: return [];
  }
}

/** Depth of an expression tree, computed without recursion (so it is safe on any input). */
export function depthOf(root: Expr): number {
  let max = 0;
  const stack: Array<[Expr, number]> = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > max) max = d;
    for (const c of children(e)) stack.push([c, d + 1]);
  }
  return max;
}
