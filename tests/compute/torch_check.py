#!/usr/bin/python3
"""torch_check.py: the C reference model (compute/model_ref.c through the
CPU device of train_model.h) against an independent PyTorch model written
here, on tiny folders made by `imagine model init`.

For Qwen3 (BF16) and Llama (F32, llama3 RoPE scaling, untied head) folders,
full fine-tuning and LoRA (rank 4, alpha 8, all seven projections),
train_dump writes one step of ours to a safetensors file; this script loads
the model's own safetensors files, runs its own model in float64 (each
packed sample as its own sequence, so packing is checked too) and compares:

  logits       max |ours - torch| <= 1e-5 * max(1, max |torch|)
  loss         |ours - torch| <= 1e-5 * max(1, |torch|)
  logp         max |ours - torch| <= 1e-4
  gradients    for EVERY trainable tensor: max |ours - torch| <= 1e-5 * max|torch| + 1e-7
  AdamW        two steps of torch.optim.AdamW (float32) fed our gradients,
               max |ours - torch| <= 1e-6 * max(1, max |p|)

Usage: torch_check.py IMAGINE TRAIN_DUMP DATA_DIR
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

torch.set_default_dtype(torch.float64)
FAILS = []


def read_safetensors(path):
    """Our own reader of the format: 8-byte header size, JSON header, raw data."""
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen])
    base = 8 + hlen
    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = bytearray(data[base + a:base + b])
        t = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]) if raw else torch.zeros(0, dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"]).to(torch.float64)
    return out


def rope_inv_freq(cfg, hd):
    f = 1.0 / cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    sc = cfg.get("rope_scaling") or {}
    kind = sc.get("rope_type", sc.get("type", "default"))
    if kind == "linear":
        f = f / sc["factor"]
    elif kind == "llama3":
        factor, lo, hi = sc["factor"], sc["low_freq_factor"], sc["high_freq_factor"]
        old = sc["original_max_position_embeddings"]
        wavelen = 2 * math.pi / f
        smooth = (old / wavelen - lo) / (hi - lo)
        mid = (1 - smooth) * f / factor + smooth * f
        f = torch.where(wavelen > old / lo, f / factor, torch.where(wavelen >= old / hi, mid, f))
    return f


class Model:
    """Qwen3 / Llama decoder in plain torch ops, written for this test."""

    def __init__(self, cfg, params, lora_scale):
        self.cfg, self.p, self.lora_scale = cfg, params, lora_scale
        self.nq, self.nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        self.hd = cfg.get("head_dim") or cfg["hidden_size"] // self.nq
        self.eps = cfg["rms_norm_eps"]
        self.qk_norm = cfg["model_type"] == "qwen3"
        self.invf = rope_inv_freq(cfg, self.hd)

    def norm(self, x, w):
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + self.eps) * w

    def rope(self, x, pos):  # x [T, H, hd]
        ang = pos[:, None].to(torch.float64) * self.invf[None, :]
        cos, sin = torch.cat([ang.cos()] * 2, -1)[:, None, :], torch.cat([ang.sin()] * 2, -1)[:, None, :]
        half = self.hd // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * cos + rotated * sin

    def linear(self, x, layer, proj):
        name = f"model.layers.{layer}.{proj}"
        y = x @ self.p[name + ".weight"].T
        a = self.p.get(f"base_model.model.{name}.lora_A.weight")
        if a is not None:
            y = y + self.lora_scale * (x @ a.T) @ self.p[f"base_model.model.{name}.lora_B.weight"].T
        return y

    def logits(self, tokens, pos):
        p, T = self.p, len(tokens)
        x = p["model.embed_tokens.weight"][tokens]
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        for l in range(self.cfg["num_hidden_layers"]):
            pre = f"model.layers.{l}."
            h = self.norm(x, p[pre + "input_layernorm.weight"])
            q = self.linear(h, l, "self_attn.q_proj").view(T, self.nq, self.hd)
            k = self.linear(h, l, "self_attn.k_proj").view(T, self.nkv, self.hd)
            v = self.linear(h, l, "self_attn.v_proj").view(T, self.nkv, self.hd)
            if self.qk_norm:
                q, k = self.norm(q, p[pre + "self_attn.q_norm.weight"]), self.norm(k, p[pre + "self_attn.k_norm.weight"])
            q, k = self.rope(q, pos), self.rope(k, pos)
            rep = self.nq // self.nkv
            k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
            s = torch.einsum("thd,shd->hts", q, k) / math.sqrt(self.hd)
            att = torch.softmax(s.masked_fill(~causal, float("-inf")), dim=-1)
            o = torch.einsum("hts,shd->thd", att, v).reshape(T, self.nq * self.hd)
            x = x + self.linear(o, l, "self_attn.o_proj")
            h = self.norm(x, p[pre + "post_attention_layernorm.weight"])
            gate, up = self.linear(h, l, "mlp.gate_proj"), self.linear(h, l, "mlp.up_proj")
            x = x + self.linear(torch.nn.functional.silu(gate) * up, l, "mlp.down_proj")
        x = self.norm(x, p["model.norm.weight"])
        head = p["model.embed_tokens.weight"] if self.cfg["tie_word_embeddings"] else p["lm_head.weight"]
        return x @ head.T


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
                out = os.path.join(tmp, f"{arch}-{'lora' if lora else 'full'}.safetensors")
                extra = [str(lora[0]), str(lora[1]), "q,k,v,o,gate,up,down"] if lora else []
                subprocess.run([dump_bin, mdir, out] + extra, check=True, stdout=subprocess.DEVNULL)
                compare(f"{arch} {dtype} {'LoRA r4' if lora else 'full'}", mdir, out, lora)
    if FAILS:
        print(f"FAILED: {len(FAILS)} comparisons")
        for f in FAILS[:20]:
            print("  " + f)
        return 1
    print("C reference matches PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
