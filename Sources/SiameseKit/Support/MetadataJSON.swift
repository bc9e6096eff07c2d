// MetadataJSON.swift — values stored as JSON strings in model and checkpoint metadata.
//
// Safetensors metadata maps strings to strings; structured values (the architecture, the settings,
// the split, the progress) are stored as JSON with sorted keys, so equal values give equal text.
import Foundation

public protocol MetadataJSON: Codable {}

/// The encoder of every such value: sorted keys.
func metadataJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return encoder
}

extension MetadataJSON {
    public func jsonString() -> String {
        String(decoding: try! metadataJSONEncoder().encode(self), as: UTF8.self)
    }

    /// The value, or nil when the text is not its JSON.
    public static func fromJSON(_ text: String) -> Self? {
        try? JSONDecoder().decode(Self.self, from: Data(text.utf8))
    }
}
