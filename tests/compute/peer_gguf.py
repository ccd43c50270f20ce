# peer_gguf.py: writes a Qwen3 model folder made by `imagine model init`
# (config.json, model.safetensors with F16/F32 tensors, tokenizer.json)
# as GGUF with llama.cpp's gguf-py, for the same-run llama-bench comparison
# in docs/compute.md (convert_hf_to_gguf.py needs torch, absent here). Not a
# test and not run by ctest; llama.cpp is built outside the repository.
# usage: /usr/bin/python3 peer_gguf.py LLAMA_CPP_DIR MODEL_DIR OUT.gguf
import json, struct, sys
sys.path.insert(0, sys.argv[1] + '/gguf-py')
import numpy as np
import gguf

src, out = sys.argv[2], sys.argv[3]
cfg = json.load(open(f'{src}/config.json'))
tok = json.load(open(f'{src}/tokenizer.json'))
f = open(f'{src}/model.safetensors', 'rb')
n = struct.unpack('<Q', f.read(8))[0]
hdr = json.loads(f.read(n))
base = 8 + n
DT = {'F16': np.float16, 'F32': np.float32}

def tensor(name):
    h = hdr[name]
    a, b = h['data_offsets']
    f.seek(base + a)
    return np.frombuffer(f.read(b - a), dtype=DT[h['dtype']]).reshape(h['shape'])

w = gguf.GGUFWriter(out, 'qwen3')
w.add_name('imagine-qwen3-small')
w.add_context_length(cfg['max_position_embeddings'])
w.add_embedding_length(cfg['hidden_size'])
w.add_block_count(cfg['num_hidden_layers'])
w.add_feed_forward_length(cfg['intermediate_size'])
w.add_head_count(cfg['num_attention_heads'])
w.add_head_count_kv(cfg['num_key_value_heads'])
w.add_key_length(cfg['head_dim'])
w.add_value_length(cfg['head_dim'])
w.add_rope_freq_base(cfg['rope_theta'])
w.add_layer_norm_rms_eps(cfg['rms_norm_eps'])
w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

V = cfg['vocab_size']
toks = [''] * V
types = [gguf.TokenType.UNUSED] * V
for t, i in tok['model']['vocab'].items():
    toks[i], types[i] = t, gguf.TokenType.NORMAL
for a in tok.get('added_tokens', []):
    toks[a['id']], types[a['id']] = a['content'], gguf.TokenType.CONTROL if a.get('special') else gguf.TokenType.USER_DEFINED
for i in range(V):
    if not toks[i]:
        toks[i] = f'[PAD{i}]'
merges = [m if isinstance(m, str) else ' '.join(m) for m in tok['model']['merges']]
w.add_tokenizer_model('gpt2')
w.add_tokenizer_pre('qwen2')
w.add_token_list(toks)
w.add_token_types(types)
w.add_token_merges(merges)
w.add_bos_token_id(cfg['bos_token_id'])
w.add_eos_token_id(cfg['eos_token_id'])
w.add_add_bos_token(False)

def put(gname, hname, f32=False):
    a = tensor(hname)
    w.add_tensor(gname, a.astype(np.float32) if f32 else a)

put('token_embd.weight', 'model.embed_tokens.weight')
put('output_norm.weight', 'model.norm.weight', True)
if 'lm_head.weight' in hdr:
    put('output.weight', 'lm_head.weight')
for l in range(cfg['num_hidden_layers']):
    p = f'model.layers.{l}.'
    put(f'blk.{l}.attn_norm.weight', p + 'input_layernorm.weight', True)
    put(f'blk.{l}.attn_q.weight', p + 'self_attn.q_proj.weight')
    put(f'blk.{l}.attn_k.weight', p + 'self_attn.k_proj.weight')
    put(f'blk.{l}.attn_v.weight', p + 'self_attn.v_proj.weight')
    put(f'blk.{l}.attn_output.weight', p + 'self_attn.o_proj.weight')
    put(f'blk.{l}.attn_q_norm.weight', p + 'self_attn.q_norm.weight', True)
    put(f'blk.{l}.attn_k_norm.weight', p + 'self_attn.k_norm.weight', True)
    put(f'blk.{l}.ffn_norm.weight', p + 'post_attention_layernorm.weight', True)
    put(f'blk.{l}.ffn_gate.weight', p + 'mlp.gate_proj.weight')
    put(f'blk.{l}.ffn_up.weight', p + 'mlp.up_proj.weight')
    put(f'blk.{l}.ffn_down.weight', p + 'mlp.down_proj.weight')
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print('wrote', out)
