"""gaoqi.ai: the module's AI, framework-free and offline (issue 16).

Models are trained by the project from data it ships or generates (scikit-learn, jieba), never downloaded;
nothing here opens a network connection. Subpackages:

- ``gaoqi.ai.fields``: which of the eight 国家重点支持的高新技术领域 (and sub-field) an enterprise's work belongs to;
- ``gaoqi.ai.assist``: plain-language help (an action plan from the engine's gaps; search over the articles).

The review signals (bought or padded applications) are rules over the snapshot, so they live in the engine.
"""
