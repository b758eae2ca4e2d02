"""gaoqi.ai.assist: plain-language help (issue 16, ADR 0037). Framework-free, strictly typed, offline.

Two things, both built from data the project ships, never from free text generation:

- ``plan`` — 行动建议. ``policy_plan(policy, explanation, as_of)`` / ``build_plan(uscc, as_of, pairs)`` turn the
  engine's explanation of a policy the enterprise nearly meets (``Workspace.explain``: failing on at most
  ``max_failed`` conditions, ``data/plan.yaml``, DEFAULT 2) into steps: for a failing condition *what* (label and
  article as the policy file cites them), *how much* (the engine's observed and required values, the difference
  and the lever as the engine's gap sentence states them), *by when* (the end of the fiscal year for yearly
  figures, a listed application deadline of the same year, otherwise "unknown": no date is invented) and *what it
  unlocks* (the policy and its benefit label); for a condition the data leave unknown a 补充数据 step naming the
  data and the department that delivers it. Sentences come from ``data/plan.yaml``'s templates only.
- ``search`` — 政策问答. ``answer(question)`` ranks passages of the rules digests in Chinese (``data/hte-rules.zh.md``,
  ``data/programmes.zh.md``: renderings of the project's shared English digests, which are copied beside them as
  the reference, ``data/SOURCES.md``) and of the policy files
  (each condition's label, test in words and article; each policy's name and benefit) with BM25 (``bm25s``) over
  jieba terms (``text``: ``data/userdict.txt``, ``data/stopwords.txt``, ``data/synonyms.txt``). Each hit keeps its
  citation (document, section, article; policy and condition ids for a link) and the matched terms; an empty or
  unknown question answers 未找到. The index is built once per process for the inputs' SHA-256 (``index_for``).
  ``python -m gaoqi.ai.assist.bench`` times the build and the queries (docs/benchmarks.md).

The engine is read through its public face (``gaoqi.engine``) only; the platform (``gaoqi.web.assist``) picks the
enterprise, its results and explanations, scoped to the user.
"""
