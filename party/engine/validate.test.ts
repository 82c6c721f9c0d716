import { expect, test } from "vitest";
import { Rng } from "./random-stream";
import { affordable, notionalOverflows } from "./validate";
import { ResultCode, resultCodeName, resultCodeRange } from "./codes";

const MAX = Number.MAX_SAFE_INTEGER;

test("affordable() is exact for safe integers (checked against BigInt)", () => {
  const rng = new Rng(9);
  const cases: [number, number, number][] = [
    [MAX, 3, 1],
    [MAX - 1, MAX, 1],
    [MAX, MAX, 1],
    [MAX, 1, 1],
    [MAX, 7, 10],
    [2 ** 52 + 1, 2 ** 26 + 1, 1],
    [0, 5, 1],
  ];
  for (let i = 0; i < 20_000; i++) {
    const price = 1 + Math.floor(rng.float() * (i % 2 ? 2 ** 30 : MAX));
    const money = Math.floor(rng.float() * MAX);
    cases.push([money, price, rng.int(1, 100)]);
  }
  for (const [money, price, lot] of cases) {
    const exact = BigInt(money) / BigInt(price);
    const want = Number(exact - (exact % BigInt(lot)));
    expect(affordable(money, price, lot), `${money} / ${price} lot ${lot}`).toBe(want);
  }
});

test("notionalOverflows() is exact at the edge of the safe range", () => {
  expect(notionalOverflows(1, MAX)).toBe(false);
  expect(notionalOverflows(2, 2 ** 52)).toBe(true);
  expect(notionalOverflows(2, 2 ** 52 - 1)).toBe(false);
  expect(notionalOverflows(3, 3002399751580331)).toBe(true); // 3 * that = MAX + 2
  expect(notionalOverflows(3, 3002399751580330)).toBe(false); // = MAX - 1
  expect(notionalOverflows(94906265, 94906265)).toBe(false); // just under 2^53
  expect(notionalOverflows(94906267, 94906267)).toBe(true);
});

test("result codes are numbered by range", () => {
  expect(resultCodeRange(ResultCode.OK)).toBe("ok");
  expect(resultCodeRange(ResultCode.PRICE_NOT_ON_TICK)).toBe("request");
  expect(resultCodeRange(ResultCode.NOT_OWNER)).toBe("risk");
  expect(resultCodeRange(ResultCode.FOK_NOT_FILLABLE)).toBe("matching");
  expect(resultCodeName(301)).toBe("FOK_NOT_FILLABLE");
});
