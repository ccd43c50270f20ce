#!/usr/bin/python3
"""torch_train_peer.py: the peer of `imagine bench train --peer torch`: the
same training step in PyTorch eager (on the CPU, or on a CUDA GPU), float32
by default, with the same model
folder, batch shape (SAMPLES packed samples of TOKENS/SAMPLES tokens, loss
on every next-token row) and optimizer (AdamW): a full step (every weight
trainable) and a LoRA step (rank R, alpha A, all seven projections). The
model is scripts/torch_model.py (our own torch code). Prints one line per
step kind: `peer-result KIND TOK_PER_S MS_PER_STEP`.

Usage: torch_train_peer.py MODEL_DIR TOKENS STEPS SAMPLES LORA_RANK LORA_ALPHA [THREADS [DEVICE [DTYPE]]]
(THREADS: torch's intra-op threads, 0 or absent: torch's own choice; DEVICE: cpu
(default) or cuda; DTYPE: float32 (default) or bfloat16, the weights' and
activations' type; AdamW updates the weights in that type)

On the CPU the peer flushes subnormals to zero (torch.set_flush_denormal), as
ours do (lavapipe's threads run with FTZ/DAZ, compute/vk.c): without it a
0.6B step of random weights took torch 2.6x as long (48.4 against 18.4 s),
from products over probabilities under 1e-38. IMAGINE_PEER_DENORMALS=keep
runs torch's default instead.
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_model import Model, read_safetensors  # noqa: E402

PROJ = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]


def batch(vocab, tokens, samples, device):
    g = torch.Generator().manual_seed(1)
    tok = torch.randint(0, vocab, (tokens,), generator=g)
    per = tokens // samples
    seg = torch.arange(tokens) // per
    seg[seg >= samples] = samples - 1
    pos = torch.zeros(tokens, dtype=torch.long)
    for s in range(samples):
        idx = torch.nonzero(seg == s).reshape(-1)
        pos[idx] = torch.arange(len(idx))
    tgt = torch.full((tokens,), -1, dtype=torch.long)
    same = seg[1:] == seg[:-1]
    tgt[:-1][same] = tok[1:][same]
    return tok.to(device), tgt.to(device), pos.to(device), seg.to(device)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run(kind, cfg, files, tok, tgt, pos, seg, steps, rank, alpha, device, dtype):
    params = {k: v.to(device=device, dtype=dtype) for k, v in files.items()}
    if kind == "lora":
        g = torch.Generator().manual_seed(2)
        for l in range(cfg["num_hidden_layers"]):
            for p in PROJ:
                w = params[f"model.layers.{l}.{p}.weight"]
                base = f"base_model.model.model.layers.{l}.{p}"
                a = (torch.rand(rank, w.shape[1], generator=g) * 2 - 1) / w.shape[1] ** 0.5
                params[base + ".lora_A.weight"] = a.to(device=device, dtype=dtype)
                params[base + ".lora_B.weight"] = torch.zeros(w.shape[0], rank, device=device, dtype=dtype)
    train = [k for k in params if ("lora_" in k) == (kind == "lora")]
    for k in train:
        params[k].requires_grad_(True)
    model = Model(cfg, params, alpha / rank if kind == "lora" else 1.0)
    opt = torch.optim.AdamW([params[k] for k in train], lr=1e-4, weight_decay=0.0)
    has = tgt >= 0
    weight = 1.0 / has.sum().item()
    times = []
    for s in range(steps + 1):  # the first step warms up
        sync(device)
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        logits = model.logits(tok, pos, seg)
        loss = -torch.log_softmax(logits[has], -1).gather(1, tgt[has][:, None]).sum() * weight
        loss.backward()
        torch.nn.utils.clip_grad_norm_([params[k] for k in train], 1.0)
        opt.step()
        sync(device)
        if s:
            times.append(time.perf_counter() - t0)
    ms = 1e3 * sum(times) / len(times)
    flushed = ", subnormals flushed" if FLUSHED else ""
    where = f"{torch.get_num_threads()} threads{flushed}" if device.type == "cpu" else \
        f"{torch.cuda.get_device_name(device)}, peak device memory {torch.cuda.max_memory_allocated(device) / 1e6:.0f} MB"
    print(f"peer-result {kind} {len(tok) / (ms / 1e3):.2f} {ms:.3f}  (torch {torch.__version__} eager, {str(dtype)[6:]}, {where}, "
          f"loss {loss.item():.4f}, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)", flush=True)


FLUSH = os.environ.get("IMAGINE_PEER_DENORMALS", "flush") != "keep"
FLUSHED = False  # set by main: the CPU accepted FTZ/DAZ


def main():
    if not 7 <= len(sys.argv) <= 10:
        print(__doc__)
        return 2
    if len(sys.argv) >= 8 and int(sys.argv[7]) > 0:
        torch.set_num_threads(int(sys.argv[7]))
    device = torch.device(sys.argv[8] if len(sys.argv) >= 9 else "cpu")
    global FLUSHED
    FLUSHED = device.type == "cpu" and torch.set_flush_denormal(FLUSH) and FLUSH
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[sys.argv[9] if len(sys.argv) >= 10 else "float32"]
    if device.type == "cuda" and not torch.cuda.is_available():
        print(f"torch_train_peer.py: device cuda: torch {torch.__version__} sees no CUDA GPU", file=sys.stderr)
        return 1
    mdir, tokens, steps, samples, rank, alpha = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
    torch.set_default_dtype(torch.float32)
    cfg = json.load(open(os.path.join(mdir, "config.json")))
    files = read_safetensors(os.path.join(mdir, "model.safetensors"), torch.float32)
    tok, tgt, pos, seg = batch(cfg["vocab_size"], tokens, samples, device)
    for kind in ("full", "lora"):
        run(kind, cfg, files, tok, tgt, pos, seg, steps, rank, alpha, device, dtype)
        if device.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
