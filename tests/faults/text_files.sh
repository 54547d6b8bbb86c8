#!/usr/bin/env bash
# Hostile and careless data files through `adaptlab run`, each made here, small:
#  - a UTF-8 byte-order mark before a header or first line is stripped (text_tsv, glue, text_corpus), and a
#    header that lacks a column names its columns with invisible characters escaped;
#  - a CR-only (old Mac) file reads line by line, and no error echoes more than 200 characters of a file;
#  - a CIFAR label byte outside [0, classes) names its own file, the record (counting from 0) and the value.
# Usage: text_files.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
BERT="{name: bert, vocab_size: 30522, hidden_size: 16, num_layers: 1, num_heads: 2, intermediate_size: 32, max_position: 32, pool: cls, dropout: 0.0}"
VIT="{name: vit, img_size: 8, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}"
# cfg NAME BACKBONE DATASET [BATCH]: a one-run configuration $TMP/NAME.yaml
cfg() {
  printf 'backbone: %s\ndataset: %s\nmethods: [{name: linear}]\ntrain: {epochs: 1, batch_size: %s}\nmeasure: {enabled: false}\n' \
    "$2" "$3" "${4:-1}" >"$TMP/$1.yaml"
}
run() { "$CLI" run --device cpu --spec "$TMP/$1.yaml"; }
# short LIMIT: no line of the last command's output is longer than LIMIT bytes
short() {
  local m; m=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$TMP/out")
  [ "$m" -le "$1" ] || fail "an output line of $m bytes (at most $1 expected): $(head -c 300 "$TMP/out")"
}
BOM=$'\xef\xbb\xbf'

# --- GLUE ---------------------------------------------------------------------------------------------------
G="$TMP/glue"
mkdir -p "$G/SST-2" "$G/MRPC"
rows() { for i in $(seq 1 "$1"); do printf 'a good film %s\t1\na bad film %s\t0\n' "$i" "$i"; done; }
dev_sst2() { printf 'sentence\tlabel\na fine film\t1\na dull film\t0\n' >"$G/SST-2/dev.tsv"; }
dev_sst2
cfg sst2 "$BERT" "{name: glue, task: sst2, dir: '$G', max_length: 16, val_size: 2}"
# A BOM before the header: stripped (it used to be "has no column 'sentence' (it has: <BOM>sentence, label)").
{ printf '%ssentence\tlabel\n' "$BOM"; rows 3; } >"$G/SST-2/train.tsv"
expect 0 '"train.steps":4' -- run sst2
# MRPC as Excel saves it: "\ufeffQuality" (Hugging Face's GLUE script special-cases that column name).
{ printf '%sQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n' "$BOM"
  for i in 1 2 3; do printf '1\t%s\t%s\tA man walks.\tA man is walking.\n0\t%s\t%s\tA dog.\tThe sun.\n' $i $i $i $i; done
} >"$G/MRPC/train.tsv"
printf 'Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t7\t8\tA cat.\tA cat sits.\n' >"$G/MRPC/dev.tsv"
cfg mrpc "$BERT" "{name: glue, task: mrpc, dir: '$G', max_length: 16, val_size: 2}"
expect 0 '"train.steps":4' -- run mrpc
# An invisible character in a header name is shown escaped, each name quoted (a zero-width space here).
{ printf 'sentence\xe2\x80\x8b\tlabel\n'; rows 3; } >"$G/SST-2/train.tsv"
expect 1 "^adaptlab: error: $G/SST-2/train.tsv:1: the header has no column 'sentence' \(it has: 'sentence\\\\u200b', 'label'\)$" -- run sst2
# A CR-only file: read line by line, as Python's universal newlines do (it used to be one header line).
{ printf 'sentence\tlabel\n'; rows 1000; } | tr '\n' '\r' >"$G/SST-2/train.tsv"
cfg sst2_big "$BERT" "{name: glue, task: sst2, dir: '$G', max_length: 16, val_size: 2}" 500
expect 0 '"train.steps":4' -- run sst2_big
# ... and a wrong header in it names the header's two columns, not the whole file.
{ printf 'text\tlabel\n'; rows 1000; } | tr '\n' '\r' >"$G/SST-2/train.tsv"
expect 1 "^adaptlab: error: $G/SST-2/train.tsv:1: the header has no column 'sentence' \(it has: 'text', 'label'\)$" -- run sst2
short 400
# A file without any line end (here 300000 bytes): the header it quotes is cut at 200 characters.
head -c 300000 /dev/zero | tr '\0' 'x' >"$G/SST-2/train.tsv"
expect 1 "^adaptlab: error: $G/SST-2/train.tsv:1: the header has no column 'sentence' \(it has: 'x{200}…\(299800 more\)'\)$" -- run sst2
short 600
# A label of 100000 characters is cut too; a control character in one is escaped.
{ printf 'sentence\tlabel\na film\t'; head -c 100000 /dev/zero | tr '\0' '7'; printf '\n'; } >"$G/SST-2/train.tsv"
expect 1 "^adaptlab: error: $G/SST-2/train.tsv:2: unknown label '7{200}…\(99800 more\)' \(expected one of: 0, 1\)$" -- run sst2
short 600
{ printf 'sentence\tlabel\na film\t1\x07\n'; } >"$G/SST-2/train.tsv"
expect 1 "^adaptlab: error: $G/SST-2/train.tsv:2: unknown label '1\\\\x07' \(expected one of: 0, 1\)$" -- run sst2
# A UTF-16 file (as Windows' Notepad saves "Unicode") is named as such.
printf '\xff\xfes\x00e\x00\n\x00' >"$G/SST-2/train.tsv"
expect 1 "^adaptlab: error: $G/SST-2/train.tsv: the file is UTF-16 \(it begins with a UTF-16 byte-order mark\); save it as UTF-8$" -- run sst2

# --- text_tsv -----------------------------------------------------------------------------------------------
T="$TMP/tsv"
mkdir -p "$T"
printf '%sneg\npos\n' "$BOM" >"$T/labels.txt"  # a BOM before the first label (it used to make the label '<BOM>neg')
for s in train val test; do printf 'neg\ta bad film\npos\ta good film\nneg\ta dull film\n' >"$T/$s.tsv"; done
printf '%sneg\ta bad film\npos\ta good film\nneg\ta dull film\n' "$BOM" >"$T/train.tsv"  # and before the first line
cfg tsv "$BERT" "{name: text_tsv, dir: '$T', max_length: 16}"
expect 0 '"train.steps":3' -- run tsv
printf 'neg\ta bad film\rpos\ta good film\rneg\ta dull film\rpos\tfine\r' >"$T/train.tsv"  # CR-only
expect 0 '"train.steps":4' -- run tsv
{ head -c 100000 /dev/zero | tr '\0' 'z'; printf '\ta film\n'; } >"$T/train.tsv"
expect 1 "^adaptlab: error: $T/train.tsv:1: unknown label 'z{200}…\(99800 more\)' \(not in $T/labels.txt\)$" -- run tsv
short 600
printf 'neg\ta bad film\nneg\xc2\xa0\ta film\n' >"$T/train.tsv"  # a no-break space after the label
expect 1 "^adaptlab: error: $T/train.tsv:2: unknown label 'neg\\\\u00a0' \(not in $T/labels.txt\)$" -- run tsv

# --- text_corpus --------------------------------------------------------------------------------------------
C="$TMP/corpus.txt"
cfg corpus "$BERT" "{name: text_corpus, file: '$C', max_length: 16, val_size: 3, test_size: 3}"
# A line holding only a BOM is blank (it used to be a passage of its own: 3 counted, not 2).
printf '%s\none passage\nanother passage\n' "$BOM" >"$C"
cfg corpus1 "$BERT" "{name: text_corpus, file: '$C', max_length: 16, val_size: 1, test_size: 1}"
expect 1 "^adaptlab: error: $C: 2 passages, not more than val_size \+ test_size = 2$" -- run corpus1
# CR-only: five passages (it used to be one).
printf 'one\rtwo\rthree\rfour\rfive\r' >"$C"
expect 1 "^adaptlab: error: $C: 5 passages, not more than val_size \+ test_size = 6$" -- run corpus

# --- CIFAR --------------------------------------------------------------------------------------------------
# rec LABEL...: one record per label byte (CIFAR-10: the label, then 3072 image bytes)
rec() { for l in "$@"; do printf "\\x$(printf %02x "$l")"; head -c 3072 /dev/zero; done; }
D="$TMP/cifar10"
mkdir -p "$D"
for i in 1 2 3 4 5; do rec 1 2 >"$D/data_batch_$i.bin"; done
rec 3 4 >"$D/test_batch.bin"
cfg cifar "$VIT" "{name: cifar, dir: '$D', img_size: 8, val_size: 2}"
expect 0 '"train.steps":8' -- run cifar
rec 1 10 >"$D/data_batch_3.bin"  # the 6th training record overall, the 2nd of its file
expect 1 "^adaptlab: error: $D/data_batch_3.bin: record 1 \(counting from 0\) has label 10, outside \[0, 10\) \(CIFAR-10\)$" -- run cifar
rec 1 2 >"$D/data_batch_3.bin"
rec 3 255 >"$D/test_batch.bin"
expect 1 "^adaptlab: error: $D/test_batch.bin: record 1 \(counting from 0\) has label 255, outside \[0, 10\) \(CIFAR-10\)$" -- run cifar
# CIFAR-100: a coarse and a fine label byte per record; the fine one is the class.
E="$TMP/cifar100"
mkdir -p "$E"
rec100() { while [ $# -gt 0 ]; do printf "\\x$(printf %02x "$1")\\x$(printf %02x "$2")"; head -c 3072 /dev/zero; shift 2; done; }
rec100 0 5 1 99 2 100 >"$E/train.bin"
rec100 0 1 >"$E/test.bin"
cfg cifar100 "$VIT" "{name: cifar, classes: 100, dir: '$E', img_size: 8, val_size: 1}"
expect 1 "^adaptlab: error: $E/train.bin: record 2 \(counting from 0\) has fine label 100, outside \[0, 100\) \(CIFAR-100\)$" -- run cifar100
finish "BOMs stripped, CR-only files read, echoed file text bounded and escaped, CIFAR's bad label named exactly"
