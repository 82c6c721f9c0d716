/**
 * A room too far behind refuses an order (ADR 048): the API says 503 market_busy with Retry-After,
 * and the order ticket shows the room's sentence.
 */
import { describe, expect, it } from "vitest";
import { orderOutcome } from "../../app/utils/order-words";
import { ApiError } from "../../edge/api/http.server";
import { answerStatus, throwIfRejected } from "../../edge/market/room.server";
import { describe as words, RoomCode } from "../../party/settlement/codes";

describe("market busy refusal", () => {
  it("reaches the API as 503 market_busy with Retry-After 1, and the ticket as the room's sentence", () => {
    const answer = { ok: false as const, code: RoomCode.MARKET_BUSY, ...words(RoomCode.MARKET_BUSY) };
    expect(answer.reason).toBe("MARKET_BUSY");
    expect(answerStatus(answer)).toBe(503);
    expect(() => throwIfRejected(answer)).toThrow(ApiError);
    expect(() => throwIfRejected(answer)).toThrow(expect.objectContaining({ status: 503, code: "market_busy", message: answer.message, headers: { "Retry-After": "1" } }));
    expect(orderOutcome(answer, "Copper ore")).toBe(answer.message);
  });
});
