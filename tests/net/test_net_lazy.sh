#!/bin/sh
# test_net_lazy.sh IMAGINE DATA WORKDIR: libcurl is loaded with dlopen()
# only by the HTTP backend and `imagine data fetch` (common/net.h). The
# binary does not link it; `help` and `eval` never load it; without it
# (IMAGINE_LIBCURL naming nothing, or a file that is not a library) a fetch
# from a URL and a run against an HTTP model exit 3 naming the library and
# write nothing, while a fetch from a directory mirror needs no libcurl.
set -u
imagine=$1 data=$2 work=$3
rm -rf "$work/net_lazy" && mkdir -p "$work/net_lazy" && cd "$work/net_lazy" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

ldd "$imagine" > imagine.ldd || fail "ldd $imagine"
for lib in libcurl libssh libldap libkrb5 librtmp libnghttp2 libgssapi; do
  ! grep -q "$lib" imagine.ldd || fail "imagine links $lib: $(grep "$lib" imagine.ldd)"
done
# help and eval do not load it (nothing to open, nothing asked for)
IMAGINE_LIBCURL=/nonexistent/libcurl.so.4 "$imagine" help > help.out 2>&1 || fail "help: $(cat help.out)"
IMAGINE_LIBCURL=/nonexistent/libcurl.so.4 LD_DEBUG=files "$imagine" eval --data "$data" --split train \
  --plans "$data/outputs/train/train_gpt-4-1106-preview_two-stage_submission.jsonl" > eval.out 2> eval.dbg ||
  fail "eval without libcurl: $(tail -5 eval.dbg)"
! grep -q "libcurl" eval.dbg || fail "eval loaded libcurl: $(grep libcurl eval.dbg | head -3)"

# data fetch from a URL: exit 3 naming the library, nothing written
IMAGINE_LIBCURL=/nonexistent/libcurl.so.4 "$imagine" data fetch --data out --from http://127.0.0.1:9/ > f.out 2> f.err
rc=$?
test $rc -eq 3 || fail "fetch without libcurl: exit $rc, want 3 ($(cat f.err))"
grep -qF /nonexistent/libcurl.so.4 f.err || fail "the error does not name the library: $(cat f.err)"
grep -qF "libcurl4" f.err || fail "the error has no hint: $(cat f.err)"
! grep -qi "sanitizer\|segv" f.err || fail "crash: $(cat f.err)"
test ! -e out || fail "out/ created although libcurl cannot be loaded"
echo junk > junk.so
IMAGINE_LIBCURL=$PWD/junk.so "$imagine" data fetch --data out --from http://127.0.0.1:9/ > j.out 2> j.err
test $? -eq 3 || fail "junk libcurl: want exit 3 ($(cat j.err))"
grep -qF "$PWD/junk.so" j.err || fail "the error does not name junk.so: $(cat j.err)"

# an HTTP model: exit 3 before any item, naming the library
IMAGINE_LIBCURL=/nonexistent/libcurl.so.4 "$imagine" run --method direct --model 'openai:http://127.0.0.1:9/v1#m' \
  --split train --data "$data" --store s.db --name x --limit 1 --no-cache > r.out 2> r.err
rc=$?
test $rc -eq 3 || fail "run without libcurl: exit $rc, want 3 ($(cat r.err))"
grep -qF /nonexistent/libcurl.so.4 r.err || fail "the run error does not name the library: $(cat r.err)"
! grep -qi "sanitizer\|segv" r.err || fail "crash: $(cat r.err)"
echo "ok: imagine links no libcurl; help/eval never load it; fetch and run without it exit 3 naming it"
