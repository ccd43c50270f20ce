#!/bin/sh
# test_pdf_lazy.sh IMAGINE DATA WORKDIR: the PDF writer is a module loaded
# only for a PDF (reports/pdf.h). The binary does not link cairo, pango or
# librsvg; its module does; an HTML report works without the module; a PDF
# without it (moved away, or $IMAGINE_PDF_MODULE wrong) exits 3 naming the
# path looked at and writes nothing; the module found beside the binary
# writes the PDF.
set -u
imagine=$1 data=$2 work=$3
DIRECT=direct=$data/outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl
rm -rf "$work/pdf_lazy" && mkdir -p "$work/pdf_lazy" && cd "$work/pdf_lazy" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
module=$(dirname "$imagine")/imagine-pdf.so
test -f "$module" || fail "no $module beside $imagine"

ldd "$imagine" > imagine.ldd || fail "ldd $imagine"
for lib in libcairo libpango librsvg libgobject libglib libharfbuzz libfontconfig; do
  ! grep -q "$lib" imagine.ldd || fail "imagine links $lib: $(grep "$lib" imagine.ldd)"
done
ldd "$module" > module.ldd || fail "ldd $module"
for lib in libcairo libpangocairo librsvg; do
  grep -q "$lib" module.ldd || fail "$module does not link $lib"
done

# the binary alone in a directory: HTML works, PDF is a clear error
mkdir alone && cp "$imagine" alone/imagine || fail cp
report() { bin=$1; shift; "$bin" report --data "$data" --split train --no-plots --plans "$DIRECT" "$@"; }
report alone/imagine --out alone.html 2> html.err || fail "HTML without the module: $(cat html.err)"
test -s alone.html || fail "no alone.html"
report alone/imagine --out alone.pdf 2> pdf.err
rc=$?
test $rc -eq 3 || fail "PDF without the module: exit $rc, want 3 ($(cat pdf.err))"
grep -qF "$PWD/alone/imagine-pdf.so" pdf.err || fail "the error does not name $PWD/alone/imagine-pdf.so: $(cat pdf.err)"
! grep -qi "sanitizer\|segv" pdf.err || fail "crash: $(cat pdf.err)"
test ! -e alone.pdf || fail "alone.pdf written"
# a directory output: nothing written when the module is missing
report alone/imagine --out both/ 2> both.err
test $? -eq 3 || fail "DIR without the module: want exit 3 ($(cat both.err))"
test ! -e both/report.html || fail "report.html written although the PDF cannot be"

# $IMAGINE_PDF_MODULE pointing at nothing, and at something that is not a module
IMAGINE_PDF_MODULE=/nonexistent/x.so report "$imagine" --out env.pdf 2> env.err
test $? -eq 3 || fail "IMAGINE_PDF_MODULE=/nonexistent/x.so: want exit 3 ($(cat env.err))"
grep -qF /nonexistent/x.so env.err || fail "the error does not name /nonexistent/x.so: $(cat env.err)"
echo junk > junk.so
IMAGINE_PDF_MODULE=$PWD/junk.so report "$imagine" --out junk.pdf 2> junk.err
test $? -eq 3 || fail "junk module: want exit 3 ($(cat junk.err))"
grep -qF "$PWD/junk.so" junk.err || fail "the error does not name junk.so: $(cat junk.err)"

# beside the binary (a copy of the pair), and through the variable
cp "$module" alone/ || fail cp
report alone/imagine --out pair.pdf 2> pair.err || fail "PDF with the module beside the copy: $(cat pair.err)"
head -c 4 pair.pdf | grep -q '%PDF' || fail "pair.pdf is not a PDF"
IMAGINE_PDF_MODULE=$PWD/alone/imagine-pdf.so report "$imagine" --out env-ok.pdf 2> envok.err || fail "IMAGINE_PDF_MODULE: $(cat envok.err)"
test -s env-ok.pdf || fail "no env-ok.pdf"
echo "ok: imagine links no cairo/pango/librsvg; missing or broken module: exit 3 naming the path; module beside the binary or named by IMAGINE_PDF_MODULE writes the PDF"
