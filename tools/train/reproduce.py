#!/usr/bin/python3
"""The whole synthetic-bird chain in one command (docs/TRAINING.md): render → train → export →
pack → evaluate.

    /usr/bin/python3 tools/train/reproduce.py [--work DIR] [--install] [--quick] [--meshrt PATH]

1. render: `meshrt render-dataset` seeds 1 and 3 (20,000 samples each, training) and seed 2
   (1,000, held out), 128²; a directory already complete (dataset.json with the same seed and
   count) is reused.
2. train + export: tools/train/train.py (its defaults: 45,000 steps of 32, width 16, 128² input, bfloat16 backbone) →
   WORK/synthetic_bird.onnx.
3. pack: with --install, the model replaces assets/models/synthetic_bird.onnx (the committed
   one) and tools/install_packs.py installs it into the cache; without --install, the pack is
   assembled in WORK/cache (the committed model and the user's cache are left alone).
4. evaluate: `meshrt eval` with the ttp and the regress head on the held-out set →
   WORK/eval_ttp.json, WORK/eval_regress.json and the Markdown table on stdout.

--quick runs the same chain at toy size (300 + 300 training samples, 50 held out, 40 steps): it
proves the chain works in about 10 s, not the accuracy (the ctest `Training.QuickChain`).
Progress from every step is passed through. Needs a built meshrt (`./meshrt.sh build`).
Time on this machine (2 quiet cores): rendering ≈ 3 min, training ≈ 95 min (255 samples/s at 128² with the bfloat16 backbone),
evaluation < 1 min.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACK = "synthetic-bird"
COMMITTED_MODEL = os.path.join(REPO, "assets", "models", "synthetic_bird.onnx")
FULL = {"train": [(1, 20000), (3, 20000)], "test": (2, 1000), "steps": None}
QUICK = {"train": [(1, 300), (3, 300)], "test": (2, 50), "steps": 40}


def run(command, env=None):
    print("+ " + " ".join(command), flush=True)
    result = subprocess.run(command, env=env)
    if result.returncode != 0:
        sys.exit(f"reproduce: `{' '.join(command)}` failed with exit status {result.returncode}")


def render(meshrt, env, directory, seed, count):
    meta = os.path.join(directory, "dataset.json")
    if os.path.isfile(meta):
        with open(meta, encoding="utf-8") as stream:
            data = json.load(stream)
        if data.get("seed") == seed and data.get("count") == count:
            print(f"reproduce: {directory}: already rendered (seed {seed}, {count} samples)", flush=True)
            return
        sys.exit(f"reproduce: {meta}: seed/count {data.get('seed')}/{data.get('count')} differ from "
                 f"{seed}/{count}; remove the directory or choose another --work")
    run([meshrt, "render-dataset", "--pack", PACK, "--seed", str(seed), "--count", str(count), "--out", directory],
        env)


def install_bird_pack(cache, encoder_model=None):
    """tools/install_packs.py for the synthetic-bird pack alone into `cache` (the MediaPipe packs
    need fetched models, which a private cache does not hold), with `encoder_model` as its
    encoder when given (else the committed one, if any)."""
    sources = os.path.join(cache, "sources")
    shutil.rmtree(sources, ignore_errors=True)
    shutil.copytree(os.path.join(REPO, "assets", "pack_sources", PACK), os.path.join(sources, PACK))
    command = [sys.executable, os.path.join(REPO, "tools", "install_packs.py"), "--sources", sources, "--cache", cache]
    run(command + (["--encoder-model", encoder_model] if encoder_model else []))


def install_pack(model, cache, install):
    """Installs the pack with `model`; returns the environment that makes meshrt find it."""
    env = dict(os.environ)
    if install:
        if os.path.abspath(model) != COMMITTED_MODEL:
            shutil.copyfile(model, COMMITTED_MODEL + ".partial")
            os.replace(COMMITTED_MODEL + ".partial", COMMITTED_MODEL)
        run([sys.executable, os.path.join(REPO, "tools", "install_packs.py")])
        return env
    install_bird_pack(cache, model)  # a private cache: the user's cache and the committed model stay
    env["MESHRT_PACK_PATH"] = os.path.join(cache, "packs")
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default=os.path.join(REPO, "build", "train-synthetic-bird"))
    parser.add_argument("--meshrt", default=os.path.join(REPO, "build", "demo", "meshrt"))
    parser.add_argument("--install", action="store_true",
                        help="replace assets/models/synthetic_bird.onnx and install it into the cache")
    parser.add_argument("--quick", action="store_true", help="toy sizes: checks the chain, not the accuracy")
    args = parser.parse_args()
    if args.quick and args.install:
        sys.exit("reproduce: --quick and --install: a toy model must not replace the committed one")
    if not os.access(args.meshrt, os.X_OK):
        sys.exit(f"reproduce: {args.meshrt}: not built (run ./meshrt.sh build)")
    plan = QUICK if args.quick else FULL
    os.makedirs(args.work, exist_ok=True)
    started = time.time()
    env = dict(os.environ)

    train_dirs = []
    for seed, count in plan["train"]:
        train_dirs.append(os.path.join(args.work, f"train-seed{seed}-{count}"))
        render(args.meshrt, env, train_dirs[-1], seed, count)
    test_seed, test_count = plan["test"]
    test_dir = os.path.join(args.work, f"test-seed{test_seed}-{test_count}")
    render(args.meshrt, env, test_dir, test_seed, test_count)

    # The dataset-only pack (template, basis) the training reads: installed by ./meshrt.sh fetch.
    dataset_pack = os.path.join(args.work, "dataset-pack")
    install_bird_pack(dataset_pack)
    model = os.path.join(args.work, "synthetic_bird.onnx")
    train = [sys.executable, os.path.join(REPO, "tools", "train", "train.py"), "--data", *train_dirs,
             "--pack", os.path.join(dataset_pack, "packs", PACK), "--out", model, "--monitor", test_dir,
             "--checkpoint", os.path.join(args.work, "synthetic_bird.pt")]
    if plan["steps"]:
        train += ["--steps", str(plan["steps"]), "--export-every", "0"]
    run(train)

    env = install_pack(model, os.path.join(args.work, "cache"), args.install)
    rows = []
    for head in ("ttp", "regress"):
        report = os.path.join(args.work, f"eval_{head}.json")
        command = [args.meshrt, "eval", "--pack", PACK, "--head", head, "--data", test_dir, "--json", report]
        print("+ " + " ".join(command), flush=True)
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            sys.exit(f"reproduce: meshrt eval --head {head} failed with exit status {result.returncode}")
        rows.append([line for line in result.stdout.splitlines() if line.startswith("|")])
    print(f"\nreproduce: done in {(time.time() - started) / 60:.1f} min; held-out results ({test_dir}):\n")
    print("\n".join(rows[0] + rows[1][2:]))


if __name__ == "__main__":
    main()
