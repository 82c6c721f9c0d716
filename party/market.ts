/**
 * Placeholder market room (one room per market; room id = market slug). It only greets: every
 * WebSocket connection, message and HTTP request gets {type: "hello", market: <room id>}.
 * A later issue replaces it with the real room (order book, batching, settlement, broadcast).
 */
import type * as Party from "partykit/server";
import { hello } from "./protocol";

export default class MarketRoom implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(connection: Party.Connection): void {
    connection.send(JSON.stringify(hello(this.room.id)));
  }

  onMessage(_message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): void {
    sender.send(JSON.stringify(hello(this.room.id)));
  }

  onRequest(_request: Party.Request): Response {
    return Response.json(hello(this.room.id));
  }
}

MarketRoom satisfies Party.Worker;
