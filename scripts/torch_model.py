"""torch_model.py: an independent Qwen3 / Llama decoder in plain PyTorch ops
(written for imagine, not derived from another implementation), and a
reader of safetensors files. Used by tests/compute/torch_check.py (float64,
the check of the C reference) and scripts/torch_train_peer.py (float32, the
peer of `imagine bench train --peer torch`)."""
import json
import math
import struct

import torch


def read_safetensors(path, dtype=torch.float64):
    """Our own reader of the format: 8-byte header size, JSON header, raw data;
    every tensor converted to dtype."""
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
        out[name] = t.reshape(info["shape"]).to(dtype)
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
        ang = pos[:, None].to(torch.float64) * self.invf.to(pos.device)[None, :]
        cos = torch.cat([ang.cos()] * 2, -1)[:, None, :].to(x.dtype)
        sin = torch.cat([ang.sin()] * 2, -1)[:, None, :].to(x.dtype)
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

    def logits(self, tokens, pos, seg=None):
        p, T = self.p, len(tokens)
        x = p["model.embed_tokens.weight"][tokens]
        causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
        if seg is not None:  # packed samples: no attention across them
            causal = causal & (seg[:, None] == seg[None, :])
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
