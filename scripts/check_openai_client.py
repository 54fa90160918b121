#!/usr/bin/env python3
"""Drive a running `bae serve` with the official OpenAI Python client (PyPI `openai`).

    bae serve --model models/smollm2-135m-instruct --port 0 &   # prints its address on stderr
    python scripts/check_openai_client.py --base-url http://127.0.0.1:PORT/v1

Checks, and exits non-zero on the first mismatch:
  1. models.list() names one model; it is used for the rest.
  2. chat.completions.create (greedy): non-empty text, finish_reason, usage adds up.
  3. the same request again gives the same text (greedy decoding is deterministic).
  4. the same request streamed: role first, deltas joined equal the plain answer, one
     finish_reason, and the stream ends.
  5. completions.create plain and streamed: same text both ways.
  6. a seeded sampled request (temperature 0.8, top_p 0.9, seed 7) twice: same text.
  7. errors: an unknown model is openai.NotFoundError; a context-overflowing prompt is
     openai.BadRequestError.
The API key is read from $BAE_SERVE_API_KEY when the server requires one.
"""
import argparse
import os
import sys

import openai


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"MISMATCH: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8080/v1")
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key=os.environ.get("BAE_SERVE_API_KEY", "none"),
                           max_retries=0, timeout=300)

    models = client.models.list().data
    check(len(models) == 1, f"one model listed ({[m.id for m in models]})")
    model = models[0].id

    messages = [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
    plain = client.chat.completions.create(model=model, messages=messages, max_tokens=32, temperature=0)
    text = plain.choices[0].message.content
    check(bool(text), f"chat answer is non-empty: {text!r}")
    check(plain.choices[0].finish_reason in ("stop", "length"), f"finish_reason {plain.choices[0].finish_reason}")
    usage = plain.usage
    check(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens and usage.completion_tokens > 0,
          f"usage adds up {usage}")
    again = client.chat.completions.create(model=model, messages=messages, max_tokens=32, temperature=0)
    check(again.choices[0].message.content == text, "greedy chat is deterministic")

    stream = client.chat.completions.create(model=model, messages=messages, max_tokens=32, temperature=0, stream=True)
    parts, roles, finishes = [], [], []
    for chunk in stream:
        choice = chunk.choices[0]
        if choice.delta.role:
            roles.append(choice.delta.role)
        if choice.delta.content:
            parts.append(choice.delta.content)
        if choice.finish_reason:
            finishes.append(choice.finish_reason)
    check(roles == ["assistant"], f"streamed role {roles}")
    check("".join(parts) == text, f"streamed deltas join to the plain answer ({len(parts)} deltas)")
    check(finishes == [plain.choices[0].finish_reason], f"one finish_reason {finishes}")

    prompt = "Once upon a time, there was a little dog named Max. He liked to"
    completion = client.completions.create(model=model, prompt=prompt, max_tokens=24, temperature=0)
    ctext = completion.choices[0].text
    check(bool(ctext), f"completion is non-empty: {ctext!r}")
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model=model, prompt=prompt, max_tokens=24, temperature=0, stream=True))
    check(streamed == ctext, "streamed completion equals the plain one")

    sampled = [client.chat.completions.create(model=model, messages=messages, max_tokens=24, temperature=0.8,
                                              top_p=0.9, seed=7).choices[0].message.content for _ in range(2)]
    check(sampled[0] == sampled[1], f"seeded sampling is reproducible: {sampled[0]!r}")

    try:
        client.chat.completions.create(model="no-such-model", messages=messages, max_tokens=4)
        check(False, "unknown model is refused")
    except openai.NotFoundError as error:
        check(True, f"unknown model is refused: {error.status_code}")
    try:
        client.completions.create(model=model, prompt="word " * 20000, max_tokens=4)
        check(False, "an over-long prompt is refused")
    except (openai.BadRequestError, openai.APIStatusError) as error:
        check(error.status_code in (400, 413), f"an over-long prompt is refused: {error.status_code}")
    print("all checks passed")


if __name__ == "__main__":
    main()
