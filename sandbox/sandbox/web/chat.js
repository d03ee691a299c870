/**
 * The chat page: fake users of the sandbox, each chatting with the bot.
 *
 * The open chat is long-polled: `GET /sandbox/chats/{id}?after=<etag>&wait=25` answers as
 * soon as the chat differs from the copy the page has (a new message, an edit, a new reply
 * keyboard) or after 25 s. Only messages whose content changed are drawn again.
 */

import { requestJson } from "./api.js";
import { formatted } from "./formatting.js";
import { startOperatorPanel } from "./operator.js";

const POLL_SECONDS = 25;
const CALLBACK_WAIT_SECONDS = 10;
const params = new URLSearchParams(location.search);
const byId = (id) => document.getElementById(id);

let current = null; // { id, controller }: the open chat and the handle to stop its poll
const drawn = new Map(); // message_id -> { signature, element }

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showStatus(text) {
  byId("status").textContent = text;
}

let toastTimer;
function showToast(text, isAlert = false) {
  const toast = byId("toast");
  toast.textContent = text;
  toast.classList.toggle("alert", isAlert);
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), isAlert ? 8000 : 4000);
}

// -- users -------------------------------------------------------------------------------

async function showUsers() {
  const users = await requestJson("/sandbox/users");
  const items = users.map((user) => {
    const button = element("button", "user", user.first_name);
    button.type = "button";
    button.append(element("span", "muted", ` #${user.id}`));
    button.setAttribute("aria-pressed", String(user.id === current?.id));
    button.addEventListener("click", () => openChat(user.id));
    const item = element("li");
    item.append(button);
    return item;
  });
  byId("users").replaceChildren(...items);
}

async function addUser(event) {
  event.preventDefault();
  const input = byId("new-user-name");
  const user = await requestJson("/sandbox/users", {
    method: "POST",
    body: { first_name: input.value.trim() },
  });
  input.value = "";
  openChat(user.id);
}

// -- the open chat -----------------------------------------------------------------------

function openChat(userId) {
  current?.controller.abort();
  current = { id: userId, controller: new AbortController() };
  params.set("user", userId);
  history.replaceState(null, "", `?${params}`);
  drawn.clear();
  byId("messages").replaceChildren();
  showUsers().catch((error) => showStatus(`Could not list the users: ${error.message}`));
  follow(current);
  byId("text").focus();
}

async function follow({ id, controller }) {
  let etag = "";
  while (!controller.signal.aborted) {
    try {
      const url = `/sandbox/chats/${id}?after=${etag}&wait=${POLL_SECONDS}`;
      const chat = await requestJson(url, { signal: controller.signal });
      showStatus("");
      if (chat.etag !== etag) {
        etag = chat.etag;
        drawChat(chat);
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      showStatus(`The sandbox does not answer (${error.message}); trying again…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function drawChat(chat) {
  byId("chat-title").textContent = `Chat of ${chat.user.first_name} with the bot`;
  const list = byId("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const visible = chat.messages.filter((message) => !message.deleted);
  const newest = visible.at(-1)?.message_id;
  const grew = newest !== undefined && !drawn.has(newest);
  const elements = visible.map((message) => {
    const signature = JSON.stringify(message);
    const known = drawn.get(message.message_id);
    if (known?.signature === signature) return known.element;
    const node = messageElement(message, chat.user.id);
    if (known) node.classList.add("changed");
    drawn.set(message.message_id, { signature, element: node });
    return node;
  });
  // Move and insert only what changed, so the live region announces only new content.
  elements.forEach((node, index) => {
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] ?? null);
  });
  while (list.children.length > elements.length) list.lastElementChild.remove();
  if (grew || nearBottom) list.scrollTop = list.scrollHeight;
  drawReplyKeyboard(chat.reply_keyboard);
  byId("start").hidden = chat.messages.length > 0;
}

function messageElement(message, userId) {
  const item = element("li", `message ${message.from_bot ? "from-bot" : "from-user"}`);
  item.dataset.messageId = message.message_id;
  const bubble = element("div", "bubble");
  if (message.photo) {
    const photo = element("img", "photo");
    photo.src = `/sandbox/chats/${userId}/photos/${message.message_id}`;
    photo.alt = message.caption ?? "Photo";
    bubble.append(photo);
  }
  const text = message.text ?? message.caption;
  if (text) {
    const body = element("p", "text");
    body.append(formatted(text, message.entities ?? message.caption_entities ?? []));
    bubble.append(body);
  }
  const edited = message.edit_date ? "edited " : "";
  const when = new Date((message.edit_date ?? message.date) * 1000);
  const time = when.toLocaleTimeString([], { timeStyle: "short" });
  bubble.append(element("span", "meta", `${edited}${time}`));
  item.append(bubble);
  const rows = message.reply_markup?.inline_keyboard;
  if (rows) item.append(inlineKeyboard(rows, message.message_id));
  return item;
}

function inlineKeyboard(rows, messageId) {
  const keyboard = element("div", "inline-keyboard");
  keyboard.setAttribute("role", "group");
  keyboard.setAttribute("aria-label", "Buttons");
  for (const row of rows) {
    const line = element("div", "row");
    for (const button of row) line.append(inlineButton(button, messageId));
    keyboard.append(line);
  }
  return keyboard;
}

function inlineButton(button, messageId) {
  if (button.url) {
    const link = element("a", "key", button.text);
    Object.assign(link, { href: button.url, target: "_blank", rel: "noopener noreferrer" });
    return link;
  }
  const key = element("button", "key", button.text);
  key.type = "button";
  if (button.callback_data === undefined) key.disabled = true;
  else key.addEventListener("click", () => press(key, button.text, messageId));
  return key;
}

async function press(key, text, messageId) {
  key.classList.add("pending");
  try {
    const query = await requestJson(`/sandbox/users/${current.id}/press`, {
      method: "POST",
      body: { text, message_id: messageId },
    });
    const url = `/sandbox/callbacks/${query.id}?wait=${CALLBACK_WAIT_SECONDS}`;
    const answer = await requestJson(url);
    if (!answer.answered) showToast("The bot did not answer the button (is it running?)", true);
    else if (answer.text) showToast(answer.text, answer.show_alert);
  } catch (error) {
    showToast(error.message, true);
  } finally {
    key.classList.remove("pending");
  }
}

function drawReplyKeyboard(rows) {
  const keyboard = byId("reply-keyboard");
  keyboard.hidden = !rows?.length;
  keyboard.replaceChildren(
    ...(rows ?? []).map((row) => {
      const line = element("div", "row");
      for (const text of row) {
        const key = element("button", "key", text);
        key.type = "button";
        key.addEventListener("click", () => send(text));
        line.append(key);
      }
      return line;
    }),
  );
}

async function send(text) {
  try {
    await requestJson(`/sandbox/users/${current.id}/messages`, { method: "POST", body: { text } });
  } catch (error) {
    showToast(error.message, true);
  }
}

// -- start -------------------------------------------------------------------------------

async function main() {
  byId("new-user").addEventListener("submit", addUser);
  byId("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId("text");
    const text = input.value.trim();
    input.value = "";
    if (text) send(text);
  });
  byId("start").addEventListener("click", () => send("/start"));
  byId("toast").addEventListener("click", () => (byId("toast").hidden = true));

  const users = await requestJson("/sandbox/users");
  const wanted = Number(params.get("user")) || users[0]?.id || 1001;
  if (!users.some((user) => user.id === wanted)) {
    const body = { id: wanted, first_name: users.length ? undefined : "Alice" };
    await requestJson("/sandbox/users", { method: "POST", body });
  }
  openChat(wanted);
  const api = params.get("api");
  if (api) startOperatorPanel(api.replace(/\/+$/, ""));
}

main().catch((error) => showStatus(`Could not start: ${error.message}`));
