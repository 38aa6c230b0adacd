/*
 * Usher's website widget. No dependencies; include it once:
 *
 *   <script src="https://usher.example.com/v1/widget.js" data-site="shop" data-token="WEBSITE_TOKEN"
 *           data-queue="sales" data-locale="de-CH" async></script>
 *
 * It polls for an invitation with the visitor's id (kept in localStorage), waits as long as Usher's
 * retryAfterSeconds says (plus jitter, never less) and not at all while the tab is hidden. Only on `invite` does it
 * show an invitation; accept shows the first response and, while the chat waits, its place and estimate; decline or
 * dismissal tells Usher so. Events on `document`:
 *   usher:invite  {invitation}   cancelable: preventDefault() and show your own invitation, then call
 *                                Usher.accept() or Usher.decline()
 *   usher:accept  {invitation, chat}  hand the visitor to your chat window
 *   usher:decline {invitation}
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.Usher) return;

  var config = {
    base: new URL(script.src, document.baseURI).origin,
    site: script.getAttribute("data-site"),
    token: script.getAttribute("data-token"),
    queue: script.getAttribute("data-queue") || "default",
    locale: script.getAttribute("data-locale") || navigator.language || "",
    name: script.getAttribute("data-visitor-name") || "",
    // Extra wait on top of Usher's advice, as a fraction of it, so that many visitors do not poll in step.
    jitter: Number(script.getAttribute("data-jitter") || "0.2"),
    chatPollSeconds: Number(script.getAttribute("data-chat-poll-seconds") || "5"),
    errorRetrySeconds: Number(script.getAttribute("data-error-retry-seconds") || "30"),
  };
  if (!config.site || !config.token) {
    console.warn("usher widget: data-site and data-token are required");
    return;
  }

  var api = config.base + "/v1/sites/" + encodeURIComponent(config.site);
  var visitor = visitorId();
  var timer = null;
  var nextPollAt = 0;
  var current = null; // the invitation shown, if any
  var chat = null; // the chat once accepted
  var panel = null;

  function visitorId() {
    var key = "usher:visitor:" + config.site;
    var id = null;
    try { id = localStorage.getItem(key); } catch (e) { /* storage blocked: a fresh id per page */ }
    if (!id) {
      var bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      id = "v-" + Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
      try { localStorage.setItem(key, id); } catch (e) { /* ignore */ }
    }
    return id;
  }

  function call(method, path, body) {
    return fetch(api + path, {
      method: method,
      headers: { "Authorization": "Bearer " + config.token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
      mode: "cors",
      credentials: "omit",
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, retryAfter: Number(response.headers.get("Retry-After")) || 0, data: data };
      });
    });
  }

  function emit(name, detail, cancelable) {
    var event = new CustomEvent(name, { detail: detail, cancelable: !!cancelable });
    return document.dispatchEvent(event);
  }

  // Polling: at most one timer; never earlier than Usher advised; nothing while hidden.
  function schedule(seconds) {
    var delay = seconds * 1000 * (1 + Math.random() * config.jitter);
    nextPollAt = Date.now() + delay;
    clearTimeout(timer);
    timer = document.hidden ? null : setTimeout(poll, delay);
  }

  function poll() {
    timer = null;
    if (document.hidden || current || chat) return;
    call("POST", "/invitations", { visitor: visitor, queue: config.queue }).then(function (answer) {
      var data = answer.data || {};
      if (answer.status === 200 && data.decision === "invite" && data.invitation) {
        current = data.invitation;
        if (emit("usher:invite", { invitation: current }, true)) show(current);
        return;
      }
      var retry = data.retryAfterSeconds || answer.retryAfter || config.errorRetrySeconds;
      schedule(retry);
    }, function () {
      schedule(config.errorRetrySeconds);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (!timer && !current && !chat) {
      timer = setTimeout(poll, Math.max(0, nextPollAt - Date.now()));
    }
  });

  // The invitation: a labelled, non-modal dialog after the page's content; Escape or the close button dismisses.
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function style() {
    if (document.getElementById("usher-widget-style")) return;
    var css = element("style", { id: "usher-widget-style" });
    css.textContent =
      ".usher-panel{position:fixed;right:16px;bottom:16px;max-width:320px;background:#fff;color:#1a1a1a;" +
      "border:1px solid #888;border-radius:8px;padding:16px;box-shadow:0 4px 16px rgba(0,0,0,.2);" +
      "font:15px/1.4 system-ui,sans-serif;z-index:2147483000}" +
      ".usher-panel h2{font-size:16px;margin:0 0 8px}.usher-panel p{margin:0 0 12px}" +
      ".usher-panel button{font:inherit;padding:6px 12px;margin-right:8px;border-radius:4px;border:1px solid #555;" +
      "background:#f4f4f4;cursor:pointer}.usher-panel button.usher-primary{background:#0b57d0;color:#fff;border-color:#0b57d0}" +
      ".usher-panel button:focus-visible{outline:3px solid #f9a825;outline-offset:2px}" +
      ".usher-close{position:absolute;top:6px;right:2px;border:0!important;background:none!important;font-size:20px!important}";
    document.head.appendChild(css);
  }

  function openPanel(title) {
    style();
    closePanel();
    panel = element("div", { "class": "usher-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "usher-title",
      "aria-describedby": "usher-text", id: "usher-panel" });
    panel.appendChild(element("h2", { id: "usher-title" }, title));
    var close = element("button", { type: "button", "class": "usher-close", "aria-label": "Close" }, "\u00d7");
    close.addEventListener("click", dismiss);
    panel.appendChild(close);
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") dismiss(); });
    document.body.appendChild(panel);
    return panel;
  }

  function closePanel() {
    if (panel && panel.parentNode) panel.parentNode.removeChild(panel);
    panel = null;
  }

  function show(invitation) {
    var node = openPanel("Can we help?");
    node.appendChild(element("p", { id: "usher-text", "aria-live": "polite" }, "Someone from our team is free to chat with you now."));
    var accept = element("button", { type: "button", "class": "usher-primary", id: "usher-accept" }, "Start chat");
    var decline = element("button", { type: "button", id: "usher-decline" }, "No, thanks");
    accept.addEventListener("click", function () { acceptInvitation(invitation); });
    decline.addEventListener("click", function () { declineInvitation(invitation); });
    node.appendChild(accept);
    node.appendChild(decline);
  }

  function dismiss() {
    if (chat) { closePanel(); return; }
    if (current) declineInvitation(current);
  }

  function acceptInvitation(invitation) {
    invitation = invitation || current;
    if (!invitation) return Promise.resolve(null);
    var body = { visitor: visitor, locale: config.locale || undefined, name: config.name || undefined };
    return call("POST", "/invitations/" + encodeURIComponent(invitation.id) + "/accept", body).then(function (answer) {
      current = null;
      if (answer.status !== 200 || !answer.data || !answer.data.chat) {
        closePanel();
        schedule(answer.retryAfter || config.errorRetrySeconds);
        return null;
      }
      chat = answer.data.chat;
      showChat(chat);
      emit("usher:accept", { invitation: invitation, chat: chat });
      return chat;
    });
  }

  function declineInvitation(invitation) {
    invitation = invitation || current;
    if (!invitation) return Promise.resolve();
    current = null;
    closePanel();
    emit("usher:decline", { invitation: invitation });
    return call("POST", "/invitations/" + encodeURIComponent(invitation.id) + "/decline", { visitor: visitor }).then(function () {
      schedule(config.errorRetrySeconds);
    }, function () {
      schedule(config.errorRetrySeconds);
    });
  }

  function describe(c) {
    if (c.state === "waiting" && c.position) {
      var wait = c.estimatedWaitSeconds ? " About " + Math.max(1, Math.round(c.estimatedWaitSeconds / 60)) + " min." : "";
      return "You are number " + c.position + " in line." + wait;
    }
    if (c.state === "assigned") return "An agent is with you.";
    if (c.state === "ended" || c.state === "orphaned") return "This chat has ended.";
    return "";
  }

  function showChat(c) {
    var node = panel && document.getElementById("usher-first-response") ? panel : openPanel("Chat");
    var text = document.getElementById("usher-first-response");
    if (!text) {
      text = element("p", { id: "usher-first-response", "aria-live": "polite" });
      node.appendChild(text);
      node.appendChild(element("p", { id: "usher-chat-state", "aria-live": "polite" }));
      node.setAttribute("aria-describedby", "usher-first-response");
    }
    text.textContent = c.firstResponse ? c.firstResponse.text : "";
    document.getElementById("usher-chat-state").textContent = describe(c);
    if (c.state === "waiting") {
      setTimeout(function () {
        call("GET", "/chats/" + encodeURIComponent(c.id) + "?visitor=" + encodeURIComponent(visitor)).then(function (answer) {
          if (answer.status === 200 && answer.data && answer.data.chat && chat && chat.id === c.id) {
            chat = answer.data.chat;
            if (panel) showChat(chat);
          }
        });
      }, config.chatPollSeconds * 1000);
    }
  }

  window.Usher = {
    visitor: visitor,
    accept: function () { return acceptInvitation(current); },
    decline: function () { return declineInvitation(current); },
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
})();
