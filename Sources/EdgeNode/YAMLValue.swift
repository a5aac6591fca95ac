import Foundation
import Yams

/// A node of a YAML file in `devices/`, with the file it came from, so that every error names the
/// file, line and column and what was expected. Mappings reject keys they do not know.
public struct YAMLValue {
    public let node: Node
    public let file: String

    /// Parses `path`.
    /// - Throws: ``EdgeNodeError`` for an unreadable file or invalid YAML (with its position).
    public static func load(_ path: String) throws(EdgeNodeError) -> YAMLValue {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .input("cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text; `path` names it in errors.
    public static func parse(_ text: String, file path: String) throws(EdgeNodeError) -> YAMLValue {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw EdgeNodeError.input("\(path): the file is empty") }
            return YAMLValue(node: node, file: path)
        } catch let error as EdgeNodeError {
            throw error
        } catch let error as YamlError {
            throw .input("\(path): \(String(describing: error).split(separator: "\n").joined(separator: " "))")
        } catch {
            throw .input("\(path): \(error)")
        }
    }

    /// `file:line:column` of this node.
    public var location: String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }

    /// An input error at this node.
    public func error(_ message: String) -> EdgeNodeError { .input("\(location): \(message)") }

    /// The entries of a mapping; a key outside `keys` (nil: any key) is an error, and so is a
    /// missing `required` one.
    public func mapping(_ what: String, keys: Set<String>?, required: Set<String> = []) throws(EdgeNodeError) -> [String: YAMLValue] {
        guard case .mapping(let mapping) = node else { throw error("expected \(what) (a mapping)") }
        var result: [String: YAMLValue] = [:]
        for (key, value) in mapping {
            let name = key.string ?? ""
            guard keys?.contains(name) ?? true else {
                throw YAMLValue(node: key, file: file).error("unknown key '\(name)' in \(what); expected one of \(keys!.sorted().joined(separator: ", "))")
            }
            result[name] = YAMLValue(node: value, file: file)
        }
        for name in required.sorted() where result[name] == nil { throw error("\(what) needs '\(name)'") }
        return result
    }

    public func sequence(_ what: String) throws(EdgeNodeError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw error("expected \(what) (a list)") }
        return sequence.map { YAMLValue(node: $0, file: file) }
    }

    public func string(_ what: String) throws(EdgeNodeError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected \(what) (text)") }
        return scalar.string
    }

    public func double(_ what: String) throws(EdgeNodeError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            throw error("expected \(what) (a number), found \(node.string.map { "'\($0)'" } ?? "a \(kind)")")
        }
        return value
    }

    public func integer(_ what: String) throws(EdgeNodeError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error("expected \(what) (a whole number), found \(node.string.map { "'\($0)'" } ?? "a \(kind)")")
        }
        return value
    }

    public func bool(_ what: String) throws(EdgeNodeError) -> Bool {
        guard case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) else {
            throw error("expected \(what) (true or false)")
        }
        return value
    }

    /// One of `choices`.
    public func choice<T>(_ what: String, _ choices: [String: T]) throws(EdgeNodeError) -> T {
        let text = try string(what)
        guard let value = choices[text] else {
            throw error("expected \(what): one of \(choices.keys.sorted().joined(separator: ", ")), found '\(text)'")
        }
        return value
    }

    private var kind: String {
        switch node {
        case .mapping: "mapping"
        case .sequence: "list"
        case .scalar: "value"
        case .alias: "alias"
        }
    }
}
