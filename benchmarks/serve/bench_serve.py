#!/usr/bin/env python3
"""Generated tokens per second of a running `bae serve`, with 1 and 4 concurrent requests.

    .build/release/bae serve --port 0 &          # note the port it prints on stderr
    python3 benchmarks/serve/bench_serve.py --base-url http://127.0.0.1:PORT [--tokens 64] [--rounds 2]

Standard library only. Each request is a greedy /v1/completions call with `max_tokens` fixed and
a prompt that does not reach the end-of-sequence token early; throughput = completion tokens
(from `usage`) summed over all requests / wall time of the round. With 4 concurrent requests
the server's engine decodes the 4 sequences as one packed batch per step.
Prints one JSON line per concurrency level.
"""
import argparse
import json
import platform
import threading
import time
import urllib.request

PROMPTS = [
    "Once upon a time, there was a little dog named Max. He liked to",
    "The history of the printing press begins",
    "In the middle of the forest stood an old house where",
    "The recipe for a good bread starts with",
]


def model_id(base: str) -> str:
    with urllib.request.urlopen(base + "/v1/models") as reply:
        return json.load(reply)["data"][0]["id"]


def complete(base: str, model: str, prompt: str, tokens: int, out: list, index: int) -> None:
    body = json.dumps({"model": model, "prompt": prompt, "max_tokens": tokens, "temperature": 0}).encode()
    request = urllib.request.Request(base + "/v1/completions", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as reply:
        out[index] = json.load(reply)["usage"]["completion_tokens"]


def round_trip(base: str, model: str, concurrency: int, tokens: int) -> tuple[int, float]:
    counts = [0] * concurrency
    threads = [threading.Thread(target=complete, args=(base, model, PROMPTS[i % len(PROMPTS)], tokens, counts, i))
               for i in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    model = model_id(args.base_url)
    round_trip(args.base_url, model, 1, 4)  # warm-up
    flags = ""
    try:
        flags = " ".join(f for f in open("/proc/cpuinfo").read().split("flags")[1].split("\n")[0].split()
                         if f.startswith(("avx512f", "amx_tile", "avx512_bf16")))
    except (OSError, IndexError):
        pass
    for concurrency in (1, 4):
        best = 0.0
        for _ in range(args.rounds):
            generated, seconds = round_trip(args.base_url, model, concurrency, args.tokens)
            best = max(best, generated / seconds)
        print(json.dumps({"concurrency": concurrency, "max_tokens": args.tokens, "tokens_per_second": round(best, 1),
                          "model": model, "cpu": platform.processor() or platform.machine(), "cpu_flags": flags}))


if __name__ == "__main__":
    main()
