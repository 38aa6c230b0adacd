/// The arguments of invitation.lua, a website's poll.
struct InvitationArguments: ScriptArguments {
    let visitor: String
    let queue: String
    /// A fresh id, the invitation's if one is issued.
    let invitation: String
    let locale: String?

    var script: Script { .invitation }
    var rendered: [String] { [self.visitor, self.queue, self.invitation, self.locale ?? ""] }
}

/// The arguments of accept.lua.
struct AcceptArguments: ScriptArguments {
    let invitation: String
    let visitor: String
    /// A fresh id, the chat's if one starts.
    let chat: String
    let name: String?
    /// nil for the poll's.
    let locale: String?

    var script: Script { .accept }
    var rendered: [String] { [self.invitation, self.visitor, self.chat, self.name ?? "", self.locale ?? ""] }
}

/// The arguments of decline.lua.
struct DeclineArguments: ScriptArguments {
    let invitation: String
    let visitor: String

    var script: Script { .decline }
    var rendered: [String] { [self.invitation, self.visitor] }
}

/// The arguments of chatRequest.lua.
struct ChatRequestArguments: ScriptArguments {
    /// A fresh id, the chat's if one starts.
    let chat: String
    let visitor: String
    let queue: String
    let source: ChatRecord.Source
    let priority: Int
    let name: String?
    let locale: String?

    var script: Script { .chatRequest }
    var rendered: [String] {
        [self.chat, self.visitor, self.queue, self.source.rawValue, String(self.priority), self.name ?? "", self.locale ?? ""]
    }
}

/// The arguments of chatView.lua.
struct ChatViewArguments: ScriptArguments {
    let chat: String
    /// nil for agent and ops callers, who may read any chat of the site.
    let visitor: String?

    var script: Script { .chatView }
    var rendered: [String] { [self.chat, self.visitor ?? ""] }
}

/// The arguments of chatCancel.lua.
struct ChatCancelArguments: ScriptArguments {
    let chat: String
    let visitor: String

    var script: Script { .chatCancel }
    var rendered: [String] { [self.chat, self.visitor] }
}
