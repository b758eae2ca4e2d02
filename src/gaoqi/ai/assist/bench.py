"""Timing of 政策问答: ``python -m gaoqi.ai.assist.bench [--repeat N]``.

Prints the passages indexed, the first build in a fresh process (jieba's dictionary load included), a second
build (jieba loaded), the cached lookup (``index_for``: hashing the inputs), and the query time over a fixed
question set (median and 95th percentile of ``Index.search``, and of ``answer``: the lookup plus the search)."""

from __future__ import annotations

import argparse
import statistics
import time

from gaoqi.ai.assist.search import answer, build_index, index_for

QUESTIONS = (
    "研发费用占比要求是多少", "研发费用占比分几档", "科技人员占比不低于多少", "高新技术产品收入占比要求",
    "知识产权有什么要求", "企业成立多长时间才能申请高企", "创新能力评价多少分通过", "重大安全事故能不能认定高企",
    "高企证书到期怎么办", "年度发展情况报表什么时候报", "企业更名怎么办", "高企搬迁到外省", "专家评审几个专家",
    "高企企业所得税税率", "研发费用加计扣除比例", "小升规的条件", "规升强的条件", "亏损结转年限",
    "科技型中小企业的条件", "东城区高企奖励多少钱",
)  # fmt: skip


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="times each question is asked")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = index_for()
    first = time.perf_counter() - start
    again = build_index()
    start = time.perf_counter()
    for _ in range(20):
        index_for()
    lookup = (time.perf_counter() - start) / 20
    searches, answers = [], []
    for _ in range(args.repeat):
        for q in QUESTIONS:
            t = time.perf_counter()
            index.search(q)
            searches.append(time.perf_counter() - t)
            t = time.perf_counter()
            answer(q)
            answers.append(time.perf_counter() - t)
    print(f"passages: {len(index.passages)}, terms: {len(index.vocabulary)}")
    print(f"first build (fresh process, jieba loaded): {first:.2f} s")
    print(f"build again (jieba loaded): {again.build_seconds:.2f} s")
    print(f"cached lookup (hash of the inputs): {lookup * 1000:.2f} ms")
    print(f"search ({len(searches)} questions): {_ms(searches)}")
    print(f"answer = lookup + search: {_ms(answers)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
