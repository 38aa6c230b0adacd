internal import Foundation
internal import Hummingbird

/// Reads a JSON request body up to the context's `maxUploadSize` and decodes it, naming the field when something is
/// wrong. Unknown fields are ignored. Every body is read through it: it is the site routes' `requestDecoder`.
struct RequestBodyDecoder: RequestDecoder {
    func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw Self.tooLarge(context.maxUploadSize)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Self.apiError(error)
        } catch let error as BodyFieldError {
            throw APIError.invalid(field: error.field, message: error.message)
        }
    }

    /// The answer to a body larger than `limit` bytes (or one that could not be read whole).
    static func tooLarge(_ limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", message: "the body exceeds \(limit) bytes")
    }

    static func apiError(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context, appending key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context, appending: key)
            return APIError.invalid(field: field, message: "\(field) is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context)
            return field.isEmpty
                ? APIError(status: .badRequest, code: "invalid_json", message: "the body must be a JSON object")
                : APIError.invalid(field: field, message: "\(field) has the wrong type")
        case .dataCorrupted(let context):
            let field = path(context)
            return field.isEmpty
                ? APIError(status: .badRequest, code: "invalid_json", message: "the body is not valid JSON")
                : APIError.invalid(field: field, message: "\(field) has an invalid value")
        @unknown default:
            return APIError(status: .badRequest, code: "invalid_json", message: "the body could not be read")
        }
    }
}
