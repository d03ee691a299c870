/**
 * The chat page: fake users of the sandbox, each chatting with the bot privately and in the
 * groups they belong to.
 *
 * The open chat is long-polled: `GET /sandbox/chats/{id}?after=<etag>&wait=25` answers as
 * soon as the chat differs from the copy the page has (a new message, an edit, a new reply
 * keyboard) or after 25 s. Only messages whose content changed are drawn again.
 */

import { requestJson } from "./api.js";
import { formatted } from "./formatting.js";
import { startOperatorPanel } from "./operator.js";
import { money, openPaymentForm, setUpPaymentForm } from "./payment.js";

const POLL_SECONDS = 25;
const CALLBACK_WAIT_SECONDS = 10;
const params = new URLSearchParams(location.search);
const byId = (id) => document.getElementById(id);

let current = null; // { userId, chatId, controller }: the open chat and the handle to stop its poll
// A start link opened here, `?start=<payload>` as in https://t.me/<bot>?start=<payload>: as
// Telegram, only up to 64 of A-Z a-z 0-9 _ -. The Start button then sends "/start <payload>".
const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
let startPayload = START_PAYLOAD.test(params.get("start") ?? "") ? params.get("start") : "";
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

/** The body of a request the user makes in the open chat (`chat_id` only in a group). */
function inChat(body) {
  return current.chatId === current.userId ? body : { ...body, chat_id: current.chatId };
}

// -- users and their chats ---------------------------------------------------------------

async function showUsers() {
  const users = await requestJson("/sandbox/users");
  const items = users.map((user) => {
    const button = element("button", "user", user.first_name);
    button.type = "button";
    button.append(element("span", "muted", ` #${user.id} ${user.language_code ?? ""}`));
    button.setAttribute("aria-pressed", String(user.id === current?.userId));
    button.addEventListener("click", () => openChat(user.id));
    const item = element("li");
    item.append(button);
    return item;
  });
  byId("users").replaceChildren(...items);
}

/** Tabs for the user's chats (the bot, their groups), then "Join" for every other group. */
async function showChats() {
  const groups = await requestJson("/sandbox/groups");
  const isMember = (group) => String(current.userId) in group.members;
  const chats = [{ id: current.userId, title: "Bot" }, ...groups.filter(isMember)];
  const tabs = chats.map((chat) => {
    const button = element("button", "chat-tab", chat.title);
    button.setAttribute("aria-pressed", String(chat.id === current.chatId));
    button.addEventListener("click", () => openChat(current.userId, chat.id));
    return button;
  });
  const joins = groups
    .filter((group) => !isMember(group))
    .map((group) => {
      const button = element("button", "chat-tab join", `Join ${group.title}`);
      button.addEventListener("click", () => joinGroup(group.id));
      return button;
    });
  byId("chats").replaceChildren(
    ...[...tabs, ...joins].map((button) => {
      button.type = "button";
      const item = element("li");
      item.append(button);
      return item;
    }),
  );
}

async function joinGroup(chatId) {
  const userId = current.userId;
  await requestJson(`/sandbox/groups/${chatId}/members/${userId}`, {
    method: "PUT",
    body: { status: "member" },
  });
  openChat(userId, chatId);
}

async function addUser(event) {
  event.preventDefault();
  const input = byId("new-user-name");
  const user = await requestJson("/sandbox/users", {
    method: "POST",
    body: { first_name: input.value.trim(), language_code: byId("new-user-language").value },
  });
  input.value = "";
  openChat(user.id);
}

// -- the open chat -----------------------------------------------------------------------

function openChat(userId, chatId = userId) {
  current?.controller.abort();
  current = { userId, chatId, controller: new AbortController() };
  params.set("user", userId);
  if (chatId === userId) params.delete("chat");
  else params.set("chat", chatId);
  history.replaceState(null, "", `?${params}`);
  drawn.clear();
  byId("messages").replaceChildren();
  showUsers().catch((error) => showStatus(`Could not list the users: ${error.message}`));
  showChats().catch((error) => showStatus(`Could not list the chats: ${error.message}`));
  follow(current);
  byId("text").focus();
}

async function follow(chat) {
  let etag = "";
  while (!chat.controller.signal.aborted) {
    try {
      const url = `/sandbox/chats/${chat.chatId}?after=${etag}&wait=${POLL_SECONDS}`;
      const view = await requestJson(url, { signal: chat.controller.signal });
      showStatus("");
      if (view.etag !== etag) {
        etag = view.etag;
        drawChat(view);
      }
    } catch (error) {
      if (chat.controller.signal.aborted) return;
      showStatus(`The sandbox does not answer (${error.message}); trying again…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function drawChat(view) {
  const isGroup = view.chat.type !== "private";
  byId("chat-title").textContent = isGroup
    ? `${view.chat.title} (group)`
    : `Chat of ${view.user.first_name} with the bot`;
  const list = byId("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const visible = view.messages.filter((message) => !message.deleted);
  const newest = visible.at(-1)?.message_id;
  const grew = newest !== undefined && !drawn.has(newest);
  const elements = visible.map((message) => {
    const signature = JSON.stringify(message);
    const known = drawn.get(message.message_id);
    if (known?.signature === signature) return known.element;
    const node = messageElement(message, isGroup);
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
  drawReplyKeyboard(view.reply_keyboard_markup);
  byId("start").hidden = isGroup || (view.messages.length > 0 && !startPayload);
}

function messageElement(message, isGroup) {
  const service = serviceText(message);
  if (service) {
    const item = element("li", "message service", service);
    item.dataset.messageId = message.message_id;
    return item;
  }
  const own = !message.from_bot && message.from.id === current.userId;
  const side = own ? "from-user" : message.from_bot ? "from-bot" : "from-member";
  const item = element("li", `message ${side}`);
  item.dataset.messageId = message.message_id;
  const bubble = element("div", "bubble");
  if (isGroup && !own) bubble.append(element("span", "sender", message.from.first_name));
  if (message.photo) {
    const photo = element("img", "photo");
    const file = message.photo.at(-1);
    photo.src = `/sandbox/chats/${message.chat.id}/photos/${message.message_id}?v=${file.file_unique_id}`;
    photo.alt = message.caption ?? "Photo";
    bubble.append(photo);
  }
  if (message.invoice) bubble.append(invoiceElement(message.invoice));
  if (message.contact) bubble.append(contactElement(message.contact));
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
  const rows = message.reply_markup?.inline_keyboard ?? (message.invoice ? [[]] : null);
  if (rows) item.append(inlineKeyboard(rows, message));
  return item;
}

function serviceText(message) {
  const paid = message.successful_payment;
  if (paid) {
    const who = message.from.id === current.userId ? "You" : message.from.first_name;
    return `${who} paid ${money(paid.total_amount, paid.currency)}`;
  }
  const refunded = message.refunded_payment;
  if (refunded) return `${money(refunded.total_amount, refunded.currency)} refunded`;
  const joined = message.new_chat_members;
  if (joined) return `${joined.map((user) => user.first_name).join(", ")} joined the group`;
  const left = message.left_chat_member;
  if (left) return `${left.first_name} left the group`;
  return null;
}

function invoiceElement(invoice) {
  const box = element("div", "invoice");
  box.append(element("strong", "invoice-title", invoice.title));
  box.append(element("p", "text", invoice.description));
  box.append(element("p", "invoice-total", money(invoice.total_amount, invoice.currency)));
  return box;
}

function contactElement(contact) {
  const name = [contact.first_name, contact.last_name].filter(Boolean).join(" ");
  return element("p", "contact", `👤 ${name}, ${contact.phone_number}`);
}

function inlineKeyboard(rows, message) {
  const keyboard = element("div", "inline-keyboard");
  keyboard.setAttribute("role", "group");
  keyboard.setAttribute("aria-label", "Buttons");
  rows.forEach((row, index) => {
    const line = element("div", "row");
    if (index === 0 && message.invoice && !row[0]?.pay) line.append(payButton(null, message));
    for (const button of row) line.append(inlineButton(button, message));
    keyboard.append(line);
  });
  return keyboard;
}

function inlineButton(button, message) {
  if (button.pay) return payButton(button, message);
  if (button.url) {
    const link = element("a", "key", button.text);
    Object.assign(link, { href: button.url, target: "_blank", rel: "noopener noreferrer" });
    return link;
  }
  const key = element("button", "key", button.text);
  key.type = "button";
  if (button.callback_data === undefined) key.disabled = true;
  else key.addEventListener("click", () => press(key, button.text, message.message_id));
  return key;
}

/** The invoice's Pay button: the bot's own (``pay: true``) or the one Telegram adds. */
function payButton(button, message) {
  const { invoice } = message;
  const label = button?.text ?? `Pay ${money(invoice.total_amount, invoice.currency)}`;
  const key = element("button", "key pay", message.invoice_paid ? "Receipt" : label);
  key.type = "button";
  key.disabled = message.invoice_paid;
  key.addEventListener("click", () =>
    openPaymentForm(current.userId, current.chatId, message, (text) => showToast(text)),
  );
  return key;
}

async function press(key, text, messageId) {
  key.classList.add("pending");
  try {
    const query = await requestJson(`/sandbox/users/${current.userId}/press`, {
      method: "POST",
      body: inChat({ text, message_id: messageId }),
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

function drawReplyKeyboard(markup) {
  const keyboard = byId("reply-keyboard");
  const rows = markup?.keyboard ?? [];
  keyboard.hidden = !rows.length;
  keyboard.replaceChildren(
    ...rows.map((row) => {
      const line = element("div", "row");
      for (const button of row) {
        const text = typeof button === "string" ? button : button.text;
        const key = element("button", "key", text);
        key.type = "button";
        if (button.request_contact) {
          key.classList.add("request");
          key.addEventListener("click", () => shareContact(text));
        } else {
          key.addEventListener("click", () => send(text));
        }
        line.append(key);
      }
      return line;
    }),
  );
}

async function send(text) {
  try {
    await requestJson(`/sandbox/users/${current.userId}/messages`, {
      method: "POST",
      body: inChat({ text }),
    });
  } catch (error) {
    showToast(error.message, true);
  }
}

async function shareContact(text) {
  try {
    await requestJson(`/sandbox/users/${current.userId}/share_contact`, {
      method: "POST",
      body: { text },
    });
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
  byId("start").addEventListener("click", () => {
    const command = startPayload ? `/start ${startPayload}` : "/start";
    startPayload = ""; // followed once, as Telegram sends it once
    params.delete("start");
    history.replaceState(null, "", `?${params}`);
    byId("start").hidden = true;
    send(command);
  });
  byId("toast").addEventListener("click", () => (byId("toast").hidden = true));
  setUpPaymentForm();

  const users = await requestJson("/sandbox/users");
  let wanted = Number(params.get("user")) || users[0]?.id;
  if (wanted === undefined) {
    // A fresh sandbox: a new user, with the next id the sandbox hands out.
    const body = { first_name: "Alice" };
    wanted = (await requestJson("/sandbox/users", { method: "POST", body })).id;
  } else if (!users.some((user) => user.id === wanted)) {
    await requestJson("/sandbox/users", { method: "POST", body: { id: wanted } });
  }
  openChat(wanted, Number(params.get("chat")) || wanted);
  const api = params.get("api");
  if (api) startOperatorPanel(api.replace(/\/+$/, ""));
}

main().catch((error) => showStatus(`Could not start: ${error.message}`));
