/* hfcsv.h: a Hugging Face TravelPlanner split (osunlp/TravelPlanner,
 * train.csv / validation.csv) converted into the JSONL the suite reads
 * (queries/SPLIT.jsonl, schema in the data package's README).
 *
 * The CSV's `date`, `local_constraint` and `annotated_plan` fields are
 * Python literals (repr of lists, dicts, strings, None/True/False,
 * numbers); they become JSON. `idx` is the 1-based row; `annotated_plan`
 * keeps element [1] (the day list; [0] repeats the query fields);
 * `reference_information` stays the string it is. A line is written the
 * way Python's json.dumps(obj, ensure_ascii=False) writes it, so the
 * shipped train.jsonl comes out byte for byte. Columns that are absent or
 * empty are left out. Errors name the CSV file, its line and the column;
 * nothing here prints or writes files. */
#ifndef TP_HFCSV_H
#define TP_HFCSV_H

#include "buf.h"
#include "err.h"

/* Reads the CSV at path and appends one JSON line per row to out. */
int tp_hf_csv_to_jsonl(const char *path, Buf *out, Err *err);

/* One Python literal (the whole of text, surrounding blanks allowed) as
 * JSON appended to out. IM_IO naming `what` and the byte offset when it is
 * not a literal of lists, tuples, dicts, strings, numbers, None, True or
 * False. */
int tp_pyliteral_to_json(const char *text, const char *what, Buf *out, Err *err);

#endif
