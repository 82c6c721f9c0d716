/**
 * The market's refusal of a player in debt after a rollback (ADR 038), end to end in words: the
 * room's code and message (not the freeze's), the API's status and code, the order ticket's text.
 */
import { describe, expect, it } from "vitest";
import { orderOutcome } from "../../app/utils/order-words";
import { ApiError } from "../../edge/api/http.server";
import { answerStatus, throwIfRejected } from "../../edge/market/room.server";
import { describe as words, RoomCode } from "../../party/settlement/codes";

describe("in debt refusal", () => {
  it("has its own code and words, apart from a freeze", () => {
    const debt = words(RoomCode.IN_DEBT);
    expect(debt.reason).toBe("IN_DEBT");
    expect(debt.message).toMatch(/^You are in debt after a rollback/);
    expect(debt.message).not.toMatch(/frozen/);
    expect(words(RoomCode.ACCOUNT_FROZEN).message).not.toMatch(/debt/);
  });

  it("reaches the API as 409 in_debt and the ticket as the room's sentence", () => {
    const answer = { ok: false as const, code: RoomCode.IN_DEBT, ...words(RoomCode.IN_DEBT) };
    expect(answerStatus(answer)).toBe(409);
    let thrown: unknown;
    try {
      throwIfRejected(answer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect(thrown).toMatchObject({ status: 409, code: "in_debt", message: answer.message });
    expect(orderOutcome(answer, "Copper ore")).toBe(answer.message);
  });
});
