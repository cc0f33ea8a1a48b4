/// Expression nodes of the Jinja subset. Positions are kept where rendering can fail.
indirect enum Expr {
    case literal(TemplateValue)
    case name(String, SourcePos)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case attribute(Expr, String, SourcePos)
    case item(Expr, Expr, SourcePos)
    case slice(Expr, Expr?, Expr?, Expr?, SourcePos)
    case call(Expr, [Expr], [(String, Expr)], SourcePos)
    case filter(Expr, String, [Expr], [(String, Expr)], SourcePos)
    case test(Expr, String, [Expr], negated: Bool, SourcePos)
    case unary(String, Expr, SourcePos)
    case binary(String, Expr, Expr, SourcePos)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    case conditional(Expr, condition: Expr, otherwise: Expr?)
}

/// Where `{% set %}` stores: a name, a tuple of names, or a namespace attribute.
enum SetTarget {
    case name(String)
    case names([String])
    case attribute(String, String)
}

/// Statement nodes.
indirect enum Node {
    case text(String)
    case output(Expr)
    case ifBlock([(Expr, [Node])], otherwise: [Node])
    case forLoop(targets: [String], iterable: Expr, filter: Expr?, body: [Node], otherwise: [Node], SourcePos)
    case set(SetTarget, Expr, SourcePos)
    case setBlock(SetTarget, [Node], SourcePos)
    case macro(name: String, params: [(String, Expr?)], body: [Node])
    case breakLoop
    case continueLoop
}

extension Expr {
    /// Where the expression is in the template, when the node records it.
    var position: SourcePos? {
        switch self {
        case let .name(_, p), let .attribute(_, _, p), let .item(_, _, p), let .slice(_, _, _, _, p), let .call(_, _, _, p),
             let .filter(_, _, _, _, p), let .test(_, _, _, _, p), let .unary(_, _, p), let .binary(_, _, _, p):
            return p
        default:
            return nil
        }
    }
}
