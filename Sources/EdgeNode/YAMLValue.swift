import CYAML

/// A node of a YAML file in `devices/`, with the file it came from, so that every error names the
/// file, line and column and what was expected. Mappings reject keys they do not know.
///
/// Files are parsed with libyaml; an alias stands for a copy of the node its anchor names.
public struct YAMLValue {
    /// What a node holds.
    enum Content {
        /// A scalar's text; `plain` when it was not quoted (only a plain scalar can be a boolean).
        case scalar(String, plain: Bool)
        /// Key-value pairs in file order.
        case mapping([(key: YAMLValue, value: YAMLValue)])
        case sequence([YAMLValue])
    }

    let content: Content
    /// The file the node came from.
    public let file: String
    /// Where the node starts, from 1.
    let line: Int
    let column: Int

    /// Parses `path`.
    /// - Throws: ``EdgeNodeError`` for an unreadable file or invalid YAML (with its position).
    public static func load(_ path: String) throws(EdgeNodeError) -> YAMLValue {
        try parse(ByteSource(path: path).readAll(), file: path)
    }

    /// Parses YAML text; `path` names it in errors.
    public static func parse(_ text: String, file path: String) throws(EdgeNodeError) -> YAMLValue {
        try parse(Array(text.utf8), file: path)
    }

    private static func parse(_ bytes: [UInt8], file path: String) throws(EdgeNodeError) -> YAMLValue {
        guard !bytes.isEmpty else { throw .input("\(path): the file is empty") }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw .runtime("\(path): out of memory") }
        defer { yaml_parser_delete(&parser) }
        var composer = Composer(file: path)
        try bytes.withUnsafeBufferPointer { (buffer) throws(EdgeNodeError) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { throw syntaxError(parser, file: path) }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return }
                try composer.handle(event)
            }
        }
        guard let root = composer.root else { throw .input("\(path): the file is empty") }
        return root
    }

    /// libyaml's account of a syntax error: where, what, and while reading what.
    private static func syntaxError(_ parser: yaml_parser_t, file path: String) -> EdgeNodeError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            return .input("\(path): \(problem) at byte \(parser.problem_offset)")
        }
        var message = "\(path):\(parser.problem_mark.line + 1):\(parser.problem_mark.column + 1): \(problem)"
        if let context = parser.context {
            message += " (\(String(cString: context)) at \(parser.context_mark.line + 1):\(parser.context_mark.column + 1))"
        }
        return .input(message)
    }

    /// `file:line:column` of this node.
    public var location: String { "\(file):\(line):\(column)" }

    /// An input error at this node.
    public func error(_ message: String) -> EdgeNodeError { .input("\(location): \(message)") }

    /// The entries of a mapping; a key outside `keys` (nil: any key) is an error, and so are a
    /// repeated key and a missing `required` one.
    public func mapping(_ what: String, keys: Set<String>?, required: Set<String> = []) throws(EdgeNodeError) -> [String: YAMLValue] {
        guard case .mapping(let pairs) = content else { throw error("expected \(what) (a mapping)") }
        var result: [String: YAMLValue] = [:]
        var keyNodes: [String: YAMLValue] = [:]
        for (key, value) in pairs {
            let name = key.text ?? ""
            guard keys?.contains(name) ?? true else {
                throw key.error("unknown key '\(name)' in \(what); expected one of \(keys!.sorted().joined(separator: ", "))")
            }
            if let first = keyNodes[name] { throw key.error("'\(name)' is given twice in \(what) (first at \(first.line):\(first.column))") }
            keyNodes[name] = key
            result[name] = value
        }
        for name in required.sorted() where result[name] == nil { throw error("\(what) needs '\(name)'") }
        return result
    }

    public func sequence(_ what: String) throws(EdgeNodeError) -> [YAMLValue] {
        guard case .sequence(let items) = content else { throw error("expected \(what) (a list)") }
        return items
    }

    public func string(_ what: String) throws(EdgeNodeError) -> String {
        guard let text else { throw error("expected \(what) (text)") }
        return text
    }

    public func double(_ what: String) throws(EdgeNodeError) -> Double {
        guard let value = text.flatMap(Double.init), value.isFinite else {
            throw error("expected \(what) (a number), found \(found)")
        }
        return value
    }

    public func integer(_ what: String) throws(EdgeNodeError) -> Int {
        guard let value = text.flatMap({ Int($0) }) else {
            throw error("expected \(what) (a whole number), found \(found)")
        }
        return value
    }

    /// A YAML 1.1 boolean: an unquoted true, yes or on, or false, no or off, in any case.
    public func bool(_ what: String) throws(EdgeNodeError) -> Bool {
        guard case .scalar(let text, plain: true) = content else { throw error("expected \(what) (true or false)") }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected \(what) (true or false)")
        }
    }

    /// One of `choices`.
    public func choice<T>(_ what: String, _ choices: [String: T]) throws(EdgeNodeError) -> T {
        let text = try string(what)
        guard let value = choices[text] else {
            throw error("expected \(what): one of \(choices.keys.sorted().joined(separator: ", ")), found '\(text)'")
        }
        return value
    }

    /// One of an enumeration's raw values.
    public func choice<T: CaseIterable & RawRepresentable>(_ what: String, of type: T.Type) throws(EdgeNodeError) -> T where T.RawValue == String {
        try choice(what, Dictionary(uniqueKeysWithValues: T.allCases.map { ($0.rawValue, $0) }))
    }

    /// A scalar's text; nil for a mapping or a list.
    private var text: String? {
        guard case .scalar(let text, _) = content else { return nil }
        return text
    }

    /// What was found instead, for messages.
    private var found: String {
        switch content {
        case .scalar(let text, _): "'\(text)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}

/// Builds nodes from libyaml's events.
private struct Composer {
    /// A mapping or list not yet closed, and the nodes read into it so far (a mapping's keys and
    /// values alternate).
    struct Open {
        let isMapping: Bool
        let anchor: String?
        let line: Int
        let column: Int
        var items: [YAMLValue] = []
    }

    let file: String
    var root: YAMLValue?
    private var open: [Open] = []
    private var anchors: [String: YAMLValue] = [:]
    private var documents = 0

    init(file: String) { self.file = file }

    mutating func handle(_ event: yaml_event_t) throws(EdgeNodeError) {
        let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            guard documents == 1 else { throw .input("\(file):\(line):\(column): a second document; a file holds one") }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            add(YAMLValue(content: .scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE), file: file, line: line, column: column),
                anchor: scalar.anchor)
        case YAML_SEQUENCE_START_EVENT:
            open.append(Open(isMapping: false, anchor: event.data.sequence_start.anchor.map { String(cString: $0) }, line: line, column: column))
        case YAML_MAPPING_START_EVENT:
            open.append(Open(isMapping: true, anchor: event.data.mapping_start.anchor.map { String(cString: $0) }, line: line, column: column))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let closed = open.removeLast()
            let content: YAMLValue.Content = closed.isMapping
                ? .mapping(stride(from: 0, to: closed.items.count, by: 2).map { (closed.items[$0], closed.items[$0 + 1]) })
                : .sequence(closed.items)
            add(YAMLValue(content: content, file: file, line: closed.line, column: closed.column), anchor: nil, named: closed.anchor)
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let node = anchors[name] else { throw .input("\(file):\(line):\(column): no anchor '&\(name)' before this alias") }
            // The named node, placed where the alias stands.
            add(YAMLValue(content: node.content, file: file, line: line, column: column), anchor: nil)
        default:
            break
        }
    }

    private mutating func add(_ node: YAMLValue, anchor: UnsafeMutablePointer<yaml_char_t>?, named name: String? = nil) {
        if let anchor = name ?? anchor.map({ String(cString: $0) }) { anchors[anchor] = node }
        if open.isEmpty {
            root = node
        } else {
            open[open.count - 1].items.append(node)
        }
    }
}
