/// The arguments of invitation.lua: website polls of one site and token, decided in order in one call.
struct InvitationArguments: ScriptArguments {
    /// One poll.
    struct Poll: Sendable {
        let visitor: String
        let queue: String
        let locale: String?
        /// The client's address, which stands for the prelude's for this poll.
        let address: String
    }

    /// Fresh randomness: an invitation issued gets an id made from it and its poll's place in the call.
    let seed: String
    let polls: [Poll]

    var script: Script { .invitation }
    var rendered: [String] {
        var all = [self.seed]
        all.reserveCapacity(1 + 4 * self.polls.count)
        for poll in self.polls {
            all += [poll.visitor, poll.queue, poll.locale ?? "", poll.address]
        }
        return all
    }
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
