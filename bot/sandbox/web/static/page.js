// The sandbox page: a small Slack over the Slack double. No framework, no build step: the server renders
// Block Kit to HTML; this script lays out the state it reads from /api/state and sends what the person does.
"use strict";

(function () {
  const LABELS = JSON.parse(document.getElementById("labels").textContent || "{}");
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  const ui = {
    person: localStorage.getItem("sandbox.person") || "",
    conversation: localStorage.getItem("sandbox.conversation") || "",
    thread: null,
    keys: { people: "", conversations: "", messages: "", thread: "", modal: "", home: "" },
    modal: null,
    home: null,
    busy: false,
    again: false,
    last: null,
  };

  function label(key) {
    return LABELS[key] || key;
  }

  // ---- server calls ------------------------------------------------------------------------------------------

  async function api(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      answer = { ok: false, error: response.statusText };
    }
    if (!response.ok || answer.ok === false) {
      notice(label("failed") + " " + (answer.error || response.status), true);
    }
    return answer;
  }

  async function refresh() {
    if (ui.busy) {
      ui.again = true; // a poll is on its way: read once more when it is back, so an action's effect shows at once
      return;
    }
    ui.busy = true;
    ui.again = false;
    // What this read asks for: if the person, conversation or thread changes while it is on its way (a click
    // during a poll), its answer is stale and is dropped, or it would undo the click.
    const asked = [ui.person, ui.conversation, ui.thread];
    try {
      const query = new URLSearchParams();
      if (ui.person) query.set("person", ui.person);
      if (ui.conversation) query.set("conversation", ui.conversation);
      if (ui.thread) query.set("thread", ui.thread);
      let response = await fetch("/api/state?" + query.toString(), { cache: "no-store" });
      if (response.status === 400 && (ui.person || ui.conversation)) {
        // A stored person or conversation that no longer fits: start from the defaults.
        ui.conversation = "";
        ui.thread = null;
        response = await fetch("/api/state" + (ui.person ? "?person=" + encodeURIComponent(ui.person) : ""));
        if (response.status === 400) {
          ui.person = "";
          response = await fetch("/api/state?person=");
        }
      }
      if (!response.ok) return;
      const state = await response.json();
      if (asked[0] !== ui.person || asked[1] !== ui.conversation || asked[2] !== ui.thread) {
        ui.again = true;
        return;
      }
      render(state);
    } catch (error) {
      // The sandbox stopped or restarted; the next poll tries again.
    } finally {
      ui.busy = false;
    }
    if (ui.again) await refresh();
  }

  // ---- rendering ---------------------------------------------------------------------------------------------

  function render(state) {
    ui.last = state;
    ui.person = state.person;
    ui.conversation = state.conversation;
    localStorage.setItem("sandbox.person", ui.person);
    localStorage.setItem("sandbox.conversation", ui.conversation);
    renderPeople(state.people);
    renderConversations(state.conversations);
    $("#clock").textContent = state.clock_text;
    $("#clock").dataset.iso = state.clock;
    const isHome = state.conversation === "home";
    $("#messages").hidden = isHome;
    $("#composer-form").hidden = isHome;
    $("#home").hidden = !isHome;
    $("#attach-label").hidden = !state.conversation.startsWith("D");
    const current = state.conversations.find((c) => c.id === state.conversation);
    $("#conversation-name").textContent = current ? (isHome ? label("home") : current.name) : "";
    if (isHome) {
      renderHome(state.home_view);
    } else {
      renderMessages(state.messages);
    }
    renderThread(state.thread);
    renderModal(state.modal);
  }

  function renderPeople(people) {
    const key = JSON.stringify(people);
    const select = $("#person");
    if (key !== ui.keys.people) {
      ui.keys.people = key;
      select.innerHTML = "";
      for (const person of people) {
        const option = document.createElement("option");
        option.value = person.id;
        option.textContent = person.label;
        select.appendChild(option);
      }
    }
    select.value = ui.person;
  }

  function renderConversations(conversations) {
    const key = JSON.stringify([conversations, ui.conversation]);
    if (key === ui.keys.conversations) return;
    ui.keys.conversations = key;
    const list = $("#conversations");
    list.innerHTML = "";
    const sections = [
      ["channel", label("channels")],
      ["dm", label("direct_messages")],
      ["home", label("apps")],
    ];
    for (const [kind, title] of sections) {
      const heading = document.createElement("div");
      heading.className = "section-title";
      heading.textContent = title;
      list.appendChild(heading);
      for (const conversation of conversations.filter((c) => c.kind === kind)) {
        const link = document.createElement("a");
        link.className = "conversation" + (conversation.id === ui.conversation ? " active" : "");
        link.href = "#";
        link.dataset.id = conversation.id;
        link.textContent = kind === "home" ? label("home") : conversation.name;
        if (kind === "channel" && !conversation.bot_member) link.title = label("bot_not_member");
        list.appendChild(link);
      }
    }
  }

  function messageElement(message, inThread) {
    const item = document.createElement("div");
    item.className = "message" + (message.ephemeral ? " ephemeral" : "") + (message.bot ? " from-bot" : "");
    item.dataset.ts = message.ts;
    const avatar = document.createElement("div");
    avatar.className = "avatar";
    avatar.textContent = message.bot ? "◆" : (message.author || "?").charAt(0).toUpperCase();
    item.appendChild(avatar);
    const content = document.createElement("div");
    content.className = "content";
    const meta = document.createElement("div");
    meta.className = "meta";
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = message.author;
    meta.appendChild(author);
    if (message.bot) {
      const app = document.createElement("span");
      app.className = "app-badge";
      app.textContent = label("app");
      meta.appendChild(app);
    }
    const time = document.createElement("span");
    time.className = "time";
    time.textContent = message.time;
    time.title = message.date + " " + message.time;
    meta.appendChild(time);
    if (message.edited) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = label("edited");
      meta.appendChild(edited);
    }
    if (message.ephemeral) {
      const only = document.createElement("span");
      only.className = "only-you";
      only.textContent = label("only_you");
      meta.appendChild(only);
    }
    content.appendChild(meta);
    const body = document.createElement("div");
    body.className = "message-body";
    body.innerHTML = message.html;
    content.appendChild(body);
    if (message.files && message.files.length) {
      const files = document.createElement("div");
      files.className = "files";
      for (const file of message.files) {
        const box = document.createElement("div");
        box.className = "file";
        if (file.mimetype === "image/png" || file.mimetype === "image/jpeg" || file.mimetype === "image/gif") {
          const image = document.createElement("img");
          image.className = "file-image";
          image.src = file.url;
          image.alt = file.name;
          box.appendChild(image);
        }
        const link = document.createElement("a");
        link.className = "file-download";
        link.href = file.url;
        link.setAttribute("download", file.name);
        link.textContent = "⬇ " + file.name;
        box.appendChild(link);
        files.appendChild(box);
      }
      content.appendChild(files);
    }
    if (message.reactions && message.reactions.length) {
      const reactions = document.createElement("div");
      reactions.className = "reactions";
      for (const reaction of message.reactions) {
        const chip = document.createElement("span");
        chip.className = "reaction";
        chip.innerHTML = reaction.html + " " + reaction.count;
        reactions.appendChild(chip);
      }
      content.appendChild(reactions);
    }
    if (!inThread && !message.ephemeral) {
      const actions = document.createElement("div");
      actions.className = "thread-actions";
      if (message.thread_count > 0) {
        const link = document.createElement("a");
        link.className = "thread-link";
        link.href = "#";
        link.dataset.ts = message.ts;
        link.textContent = message.thread_count + " " + label(message.thread_count === 1 ? "reply" : "replies");
        actions.appendChild(link);
      }
      const menu = shortcutMenu();
      if (menu) actions.appendChild(menu);
      const reply = document.createElement("a");
      reply.className = "reply-link";
      reply.href = "#";
      reply.dataset.ts = message.ts;
      reply.textContent = label("reply_in_thread");
      actions.appendChild(reply);
      content.appendChild(actions);
    }
    item.appendChild(content);
    return item;
  }

  function continues(previous, message) {
    if (previous.ephemeral || message.ephemeral || previous.author !== message.author) return false;
    if (previous.thread_count > 0) return false;
    return parseFloat(message.ts) - parseFloat(previous.ts) < 300;
  }

  // The message's "More actions" menu: the app's message shortcuts (Create task…).
  function shortcutMenu() {
    const shortcuts = (ui.last && ui.last.shortcuts) || [];
    if (!shortcuts.length) return null;
    const select = document.createElement("select");
    select.className = "message-shortcuts";
    select.setAttribute("aria-label", label("more_actions"));
    const first = document.createElement("option");
    first.value = "";
    first.textContent = label("more_actions");
    select.appendChild(first);
    for (const shortcut of shortcuts) {
      const option = document.createElement("option");
      option.value = shortcut.callback_id;
      option.textContent = shortcut.name;
      select.appendChild(option);
    }
    return select;
  }

  function renderMessages(messages) {
    const key = JSON.stringify([ui.person, ui.conversation, messages]);
    if (key === ui.keys.messages) return;
    ui.keys.messages = key;
    const pane = $("#messages");
    const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 80;
    pane.innerHTML = "";
    let previous = null;
    for (const message of messages) {
      const item = messageElement(message, false);
      // As Slack does: a message right after another by the same author is drawn without its name and avatar.
      if (previous && continues(previous, message)) item.classList.add("continuation");
      pane.appendChild(item);
      previous = message;
    }
    if (atBottom || !pane.dataset.scrolled) pane.scrollTop = pane.scrollHeight;
  }

  function renderThread(thread) {
    const panel = $("#thread");
    if (!thread) {
      panel.hidden = true;
      ui.keys.thread = "";
      return;
    }
    panel.hidden = false;
    const key = JSON.stringify([ui.person, thread]);
    if (key === ui.keys.thread) return;
    ui.keys.thread = key;
    const list = $("#thread-messages");
    list.innerHTML = "";
    if (thread.parent) list.appendChild(messageElement(thread.parent, true));
    const divider = document.createElement("div");
    divider.className = "thread-divider";
    divider.textContent = thread.messages.length + " " + label(thread.messages.length === 1 ? "reply" : "replies");
    list.appendChild(divider);
    for (const message of thread.messages) list.appendChild(messageElement(message, true));
    list.scrollTop = list.scrollHeight;
  }

  function renderHome(home) {
    ui.home = home;
    const key = JSON.stringify([ui.person, home]);
    if (key === ui.keys.home) return;
    ui.keys.home = key;
    const pane = $("#home");
    if (!home) {
      pane.innerHTML = "";
      const empty = document.createElement("p");
      empty.className = "home-empty";
      empty.textContent = label("home_empty");
      pane.appendChild(empty);
      return;
    }
    pane.innerHTML = home.html;
    pane.dataset.viewId = home.id;
  }

  function renderModal(modal) {
    ui.modal = modal;
    const box = $("#modal");
    if (!modal) {
      box.hidden = true;
      ui.keys.modal = "";
      return;
    }
    box.hidden = false;
    // Re-drawn only when the bot changes the view: what the person typed stays while they type.
    const key = [ui.person, modal.id, modal.hash].join("|");
    if (key !== ui.keys.modal) {
      ui.keys.modal = key;
      $("#modal-title").textContent = modal.title || "";
      $("#modal-body").innerHTML = modal.html;
      $("#modal-body").dataset.viewId = modal.id;
      const submit = $("#modal-submit");
      submit.hidden = !modal.submit;
      if (modal.submit) submit.textContent = modal.submit;
      $("#modal-close").textContent = modal.close || label("close");
    }
    showErrors(modal.errors || {});
  }

  function showErrors(errors) {
    for (const wrapper of $$(".bk-input[data-block-id]", $("#modal-body"))) {
      const slot = $(".bk-error", wrapper);
      const text = errors[wrapper.dataset.blockId] || "";
      if (slot) {
        slot.textContent = text;
        slot.hidden = !text;
      }
      wrapper.classList.toggle("bk-has-error", Boolean(text));
    }
  }

  let noticeTimer = null;
  function notice(text, isError) {
    const box = $("#notice");
    box.textContent = text;
    box.className = isError ? "error" : "";
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      box.hidden = true;
    }, 6000);
  }

  // ---- reading what the person entered -----------------------------------------------------------------------

  const CONTAINER_TAGS = new Set(["DIV", "SPAN", "FIELDSET", "UL", "LI", "LABEL"]);

  // The value Slack would report for an element (or a group of checkboxes / radio buttons).
  function valueOf(element) {
    if (CONTAINER_TAGS.has(element.tagName)) {
      const boxes = $$("input[type=checkbox]", element);
      if (boxes.length) return boxes.filter((b) => b.checked).map((b) => b.value);
      const chosen = $$("input[type=radio]", element).find((r) => r.checked);
      return chosen ? chosen.value : null;
    }
    if (element.tagName === "SELECT") {
      if (element.multiple) return Array.from(element.selectedOptions).map((o) => o.value).filter((v) => v !== "");
      return element.value === "" ? null : element.value;
    }
    if (element.tagName === "BUTTON") {
      // No value: the double reports the button's own (Slack leaves `value` out when the button has none).
      return element.dataset.value ? element.dataset.value : null;
    }
    if (element.type === "checkbox") {
      const group = element.closest(".bk-checkboxes");
      if (group) return valueOf(group);
      return element.checked ? [element.value] : [];
    }
    if (element.type === "radio") {
      return element.checked ? element.value : null;
    }
    return element.value === "" ? null : element.value;
  }

  // The element that carries the action: a group of checkboxes or radios is one element to Slack.
  function actionElement(target) {
    const group = target.closest(".bk-checkboxes[data-action-id], .bk-radios[data-action-id]");
    if (group) return group;
    return target.closest("[data-action-id]");
  }

  function collectValues(root) {
    const values = {};
    for (const wrapper of $$(".bk-input[data-block-id]", root)) {
      const blockId = wrapper.dataset.blockId;
      const seen = new Set();
      for (const element of $$("[data-action-id]", wrapper)) {
        const owner = actionElement(element);
        if (!owner || seen.has(owner)) continue;
        seen.add(owner);
        const actionId = owner.dataset.actionId;
        values[blockId] = values[blockId] || {};
        values[blockId][actionId] = valueOf(owner);
      }
    }
    return values;
  }

  // ---- what the person does ----------------------------------------------------------------------------------

  async function act(element) {
    const actionId = element.dataset.actionId;
    if (!actionId) return;
    if (element.dataset.confirm) {
      // Slack asks first when the element carries a confirmation dialog.
      const question = [element.dataset.confirmTitle, element.dataset.confirm].filter(Boolean).join("\n\n");
      if (!window.confirm(question)) return;
    }
    const blockId = element.dataset.blockId || (element.closest("[data-block-id]") || {}).dataset?.blockId || "";
    const body = { person: ui.person, action_id: actionId, block_id: blockId, value: valueOf(element) };
    const modalBody = element.closest("#modal-body");
    const home = element.closest("#home");
    if (modalBody) {
      body.view_id = modalBody.dataset.viewId;
      body.values = collectValues(modalBody);
    } else if (home) {
      body.view_id = home.dataset.viewId;
    } else {
      const message = element.closest(".message[data-ts]");
      if (!message) return;
      body.conversation = ui.conversation;
      body.message_ts = message.dataset.ts;
    }
    if (element.dataset.url) window.open(element.dataset.url, "_blank", "noopener");
    await api("/api/action", body);
    await refresh();
  }

  // Inputs inside a modal's input blocks are read on submit; Slack sends them as actions only when asked to.
  function dispatchesOnChange(element) {
    const wrapper = element.closest(".bk-input");
    return !wrapper || wrapper.dataset.dispatchAction === "true";
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const conversation = target.closest("a.conversation");
    if (conversation) {
      event.preventDefault();
      openConversation(conversation.dataset.id);
      return;
    }
    const threadLink = target.closest("a.thread-link, a.reply-link");
    if (threadLink) {
      event.preventDefault();
      ui.thread = threadLink.dataset.ts;
      ui.keys.thread = "";
      refresh().then(() => $("#thread-composer").focus());
      return;
    }
    const button = target.closest("button.bk-button");
    if (button && !button.disabled) {
      event.preventDefault();
      act(button);
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    if (target.id === "person" || target.closest("#topbar")) return;
    if (target.classList.contains("message-shortcuts")) {
      const message = target.closest(".message[data-ts]");
      const callbackId = target.value;
      target.value = "";
      if (message && callbackId) {
        const body = { person: ui.person, conversation: ui.conversation, message_ts: message.dataset.ts };
        body.callback_id = callbackId;
        api("/api/shortcut", body).then(refresh);
      }
      return;
    }
    const element = actionElement(target);
    if (!element || !element.classList.contains("bk-interactive") && !element.dataset.actionId) return;
    if (!dispatchesOnChange(element)) return;
    act(element);
  });

  async function openConversation(id) {
    ui.conversation = id;
    ui.thread = null;
    ui.keys.messages = "";
    $("#messages").dataset.scrolled = "";
    if (id === "home") await api("/api/home", { person: ui.person });
    await refresh();
    if (id !== "home") $("#composer").focus();
  }

  $("#person").addEventListener("change", async (event) => {
    ui.person = event.target.value;
    ui.thread = null;
    ui.keys.messages = "";
    ui.keys.modal = "";
    const stillThere = ui.last && ui.last.conversations.some((c) => c.id === ui.conversation);
    if (!stillThere || ui.conversation.startsWith("D")) ui.conversation = "";
    if (ui.conversation === "home") await api("/api/home", { person: ui.person });
    await refresh();
  });

  async function sendText(textarea, threadTs) {
    const text = textarea.value.trim();
    if (!text) return;
    textarea.disabled = true;
    try {
      const body = { person: ui.person, conversation: ui.conversation, text: text };
      if (threadTs) body.thread_ts = threadTs;
      const answer = await api("/api/send", body);
      if (answer.ok !== false || answer.status) textarea.value = "";
    } finally {
      textarea.disabled = false;
      textarea.focus();
    }
    await refresh();
  }

  function sendOnEnter(textarea, send) {
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
  }

  $("#composer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendText($("#composer"), null);
  });
  sendOnEnter($("#composer"), () => sendText($("#composer"), null));
  $("#thread-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendText($("#thread-composer"), ui.thread);
  });
  sendOnEnter($("#thread-composer"), () => sendText($("#thread-composer"), ui.thread));
  $("#thread-close").addEventListener("click", () => {
    ui.thread = null;
    refresh();
  });

  $("#attach").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("person", ui.person);
    form.append("text", $("#composer").value.trim());
    form.append("file", file, file.name);
    const response = await fetch("/api/upload", { method: "POST", body: form });
    const answer = await response.json().catch(() => ({ ok: false }));
    if (!response.ok || answer.ok === false) notice(label("failed") + " " + (answer.error || response.status), true);
    else $("#composer").value = "";
    event.target.value = "";
    await refresh();
  });

  $("#modal-submit").addEventListener("click", async () => {
    if (!ui.modal) return;
    const body = { person: ui.person, view_id: ui.modal.id, values: collectValues($("#modal-body")) };
    const answer = await api("/api/submit", body);
    if (answer.errors && Object.keys(answer.errors).length) showErrors(answer.errors);
    await refresh();
  });

  $("#modal-close").addEventListener("click", async () => {
    if (!ui.modal) return;
    await api("/api/close", { person: ui.person, view_id: ui.modal.id });
    await refresh();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && ui.modal) $("#modal-close").click();
  });

  function clockNotice(answer) {
    if (!answer || answer.ok === false) return;
    const when = $("#clock").textContent;
    const where = answer.where && answer.where.length ? " → " + answer.where.join(", ") : "";
    if (answer.delivered > 0) notice(label("delivered").replace("{count}", answer.delivered) + where + " — " + when);
    else if (answer.due) notice(label("jumped") + " — " + when);
    else notice(label("nothing_due"));
  }

  $("#clock-next").addEventListener("click", async () => {
    const answer = await api("/api/clock/next", {});
    await refresh();
    clockNotice(answer);
  });

  $("#clock-advance").addEventListener("click", async () => {
    const seconds = parseInt($("#clock-advance-amount").value, 10);
    const answer = await api("/api/clock/advance", { seconds: seconds });
    await refresh();
    clockNotice(answer);
  });

  $("#messages").addEventListener("scroll", () => {
    $("#messages").dataset.scrolled = "1";
  });

  refresh();
  setInterval(refresh, 1000);
})();
