#!/usr/bin/python3
"""torch_check.py: the C reference model (compute/model_ref.c through the
CPU device of train_model.h) against an independent PyTorch model written
here, on tiny folders made by `imagine model init`.

For Qwen3 (BF16) and Llama (F32, llama3 RoPE scaling, untied head) folders,
full fine-tuning and LoRA (rank 4, alpha 8, all seven projections), with
the CPU device's fast kernels (OpenBLAS products, attention per packed
sample: what training runs) and with its double-accumulating reference ops
(train_dump --reference), train_dump writes one step of ours to a
safetensors file; this script loads
the model's own safetensors files, runs its own model in float64 (each
packed sample as its own sequence, so packing is checked too) and compares:

  logits       max |ours - torch| <= 1e-5 * max(1, max |torch|)
  loss         |ours - torch| <= 1e-5 * max(1, |torch|)
  logp         max |ours - torch| <= 1e-4
  gradients    for EVERY trainable tensor: max |ours - torch| <= 1e-5 * max|torch| + 1e-7
  AdamW        two steps of torch.optim.AdamW (float32) fed our gradients,
               max |ours - torch| <= 1e-6 * max(1, max |p|)
and the fast kernels' first step against the reference's: loss within
1e-5 relative, logits 1e-5 * max(1, max |ref|), every gradient
max |fast - ref| <= 1e-5 * max |ref| + 1e-7. (Not the second step's: after
an AdamW update from gradients that differ in the last bits, a weight near
zero gradient moves by +-lr either way and BF16 rounding can flip.)

Usage: torch_check.py IMAGINE TRAIN_DUMP DATA_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from torch_model import Model, read_safetensors  # noqa: E402

torch.set_default_dtype(torch.float64)
FAILS = []


def check(label, what, ours, ref, tol_rel, tol_abs=0.0, scale=None):
    ours, ref = ours.reshape(-1).to(torch.float64), ref.reshape(-1).to(torch.float64)
    if ours.shape != ref.shape:
        FAILS.append(f"{label} {what}: shape {tuple(ours.shape)} vs {tuple(ref.shape)}")
        print(f"  FAIL {what}: shapes differ")
        return
    scale = ref.abs().max().item() if scale is None else scale
    lim = tol_rel * scale + tol_abs
    diff = (ours - ref).abs()
    worst = diff.max().item() if diff.numel() else 0.0
    if not worst <= lim:
        bad = torch.nonzero(~(diff <= lim)).reshape(-1)[:5].tolist()
        for i in bad:
            print(f"    {what}[{i}]: ours {ours[i].item():.9g} torch {ref[i].item():.9g}")
        FAILS.append(f"{label} {what}: max |diff| {worst:.3g} > {lim:.3g}")
        print(f"  FAIL {what}: max |diff| {worst:.3g} > limit {lim:.3g}")
        return
    return worst / scale if scale else worst


def compare(label, model_dir, dump_path, lora):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    files = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    dump = read_safetensors(dump_path)
    params = {k: v.clone() for k, v in files.items()}
    for name, v in dump.items():
        if name.startswith("param.") and "lora_" in name:
            params[name[6:]] = v.clone()
        elif name.startswith("param."):  # the base weights ours ran: the file's, as stored
            check(label, "loaded " + name[6:], v, files[name[6:]], 0.0)
    trainable = [k for k in params if ("lora_" in k) == bool(lora)]
    for k in trainable:
        params[k].requires_grad_(True)
    scale = lora[1] / lora[0] if lora else 1.0
    model = Model(cfg, params, scale)
    tok, tgt, w = dump["batch.tokens"].long(), dump["batch.targets"].long(), dump["batch.weights"]
    pos, seg = dump["batch.pos"].long(), dump["batch.seg"].long()
    rows = []
    for s in seg.unique().tolist():  # each packed sample alone
        idx = torch.nonzero(seg == s).reshape(-1)
        assert torch.equal(pos[idx], torch.arange(len(idx))), "positions restart per sample"
        rows.append(model.logits(tok[idx], pos[idx]))
    logits = torch.cat(rows)
    logp_all = torch.log_softmax(logits, -1)
    has = tgt >= 0
    logp = torch.zeros(len(tok))
    logp[has] = logp_all[has, tgt[has]]
    loss = -(w * logp).sum()
    loss.backward()
    figures = {}
    figures["logits"] = check(label, "logits", dump["logits"], logits.detach(), 1e-5, 0, max(1.0, logits.abs().max().item()))
    figures["loss"] = check(label, "loss", dump["loss"], loss.detach().reshape(1), 1e-5, 0, max(1.0, abs(loss.item())))
    figures["logp"] = check(label, "logp", dump["logp"], logp.detach(), 0, 1e-4)
    grads = {k[5:]: v for k, v in dump.items() if k.startswith("grad.")}
    if sorted(grads) != sorted(trainable):
        FAILS.append(f"{label}: gradients of {sorted(set(trainable) ^ set(grads))} missing or unexpected")
    worst_g = 0.0
    for k in trainable:
        if k in grads:
            r = check(label, "grad " + k, grads[k], params[k].grad, 1e-5, 1e-7)
            worst_g = max(worst_g, r or 0.0)
    # AdamW: torch's optimizer on our gradients, from the same start
    hp = dump["adamw.hparams"].tolist()
    lr, b1, b2, eps, wd, s1, s2 = hp
    ps = {k: torch.nn.Parameter(params[k].detach().to(torch.float32).clone()) for k in trainable}
    opt = torch.optim.AdamW(list(ps.values()), lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    for gname, sc in (("grad.", s1), ("grad2.", s2)):
        for k, p in ps.items():
            p.grad = (dump[gname + k] * sc).to(torch.float32)
        opt.step()
    worst_a = 0.0
    for k, p in ps.items():
        r = check(label, "adamw " + k, dump["adamw2." + k], p.detach(), 1e-6, 0, max(1.0, p.abs().max().item()))
        worst_a = max(worst_a, r or 0.0)
    print(f"  {label}: loss {loss.item():.6f}; relative max |diff|: logits {figures['logits'] or 0:.2e}, "
          f"loss {figures['loss'] or 0:.2e}, worst gradient {worst_g:.2e} over {len(trainable)} tensors, AdamW {worst_a:.2e}")


def compare_kernels(label, fast_path, ref_path):
    fast, ref = read_safetensors(fast_path), read_safetensors(ref_path)
    worst = 0.0
    check(label, "fast/ref loss", fast["loss"], ref["loss"], 1e-5, 0, max(1.0, abs(ref["loss"].item())))
    check(label, "fast/ref logits", fast["logits"], ref["logits"], 1e-5, 0, max(1.0, ref["logits"].abs().max().item()))
    names = [k for k in ref if k.startswith("grad.")]
    if sorted(names) != sorted(k for k in fast if k.startswith("grad.")):
        FAILS.append(f"{label}: the fast and reference dumps hold different gradients")
    for k in names:
        r = check(label, "fast/ref " + k, fast[k], ref[k], 1e-5, 1e-7)
        worst = max(worst, r or 0.0)
    print(f"  {label}: fast kernels vs reference ops: worst gradient {worst:.2e} over {len(names)} tensors")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    imagine, dump_bin, data = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="imagine_torch_") as tmp:
        for arch, dtype in (("qwen3", "bf16"), ("llama", "f32")):
            mdir = os.path.join(tmp, arch)
            subprocess.run([imagine, "model", "init", "--arch", arch, "--size", "tiny", "--dtype", dtype, "--seed", "3",
                            "--out", mdir, "--data", data], check=True, stdout=subprocess.DEVNULL)
            for lora in (None, (4, 8.0)):
                extra = [str(lora[0]), str(lora[1]), "q,k,v,o,gate,up,down"] if lora else []
                outs = {}
                for kernels in ("fast", "reference"):
                    out = outs[kernels] = os.path.join(tmp, f"{arch}-{'lora' if lora else 'full'}-{kernels}.safetensors")
                    flag = ["--reference"] if kernels == "reference" else []
                    subprocess.run([dump_bin] + flag + [mdir, out] + extra, check=True, stdout=subprocess.DEVNULL)
                    compare(f"{arch} {dtype} {'LoRA r4' if lora else 'full'} {kernels}", mdir, out, lora)
                compare_kernels(f"{arch} {dtype} {'LoRA r4' if lora else 'full'}", outs["fast"], outs["reference"])
    if FAILS:
        print(f"FAILED: {len(FAILS)} comparisons")
        for f in FAILS[:20]:
            print("  " + f)
        return 1
    print("C reference matches PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
