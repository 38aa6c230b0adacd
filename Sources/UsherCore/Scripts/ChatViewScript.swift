/// Reads one chat as its visitor sees it, with a fresh position in line. Sweeps first, so a chat that a freed slot
/// would have reached is shown as assigned. Keys: the chat, its queue's waiting line, and what the sweep touches.
/// ARGV[7..]: chat id, visitor ("" for agent and ops callers, who may read any chat of the site). A visitor's read
/// remembers the first response's kind it was shown.
/// Result: the chat view, or the refusal `not_found`.
enum ChatViewScript {
    static let source =
        Prelude.source + #"""
            sweep()
            local chat, v = ARGV[7], ARGV[8]
            local view = chat_view(chat, v ~= '')
            if view == nil or (v ~= '' and view.visitor ~= v) then return fail('not_found') end
            return cjson.encode(view)
            """#
}
