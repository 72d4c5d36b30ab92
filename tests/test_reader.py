from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

from qa.reader import Reader
from qa.reader_model import SHIPPED_READER_DIR, ReaderModelError, export_reader, load_shipped_reader, read_card
from qa.span_decoding import merge_readings

PASSAGES = [
    "The city council met on Tuesday. The mayor, Anna Berg, announced a new tram line to the airport.",
    "Tickets for the concert sold out in ten minutes. The band will play two more nights in June.",
]


def test_reads_several_passages_and_maps_offsets_exactly(reader):
    reading = reader.read("Who is the mayor?", PASSAGES, top_k=3)
    best = reading.best
    assert best.text == "Anna Berg" and best.passage_index == 0
    for span in reading.spans:
        assert reading.passages[span.passage_index][span.start : span.end] == span.text
        assert span.confidence == pytest.approx(1 / (1 + math.exp(-span.score)), abs=1e-12)
    # Distinct: no two spans overlap within a passage.
    for a in reading.spans:
        for b in reading.spans:
            if a is not b and a.passage_index == b.passage_index:
                assert a.end <= b.start or b.end <= a.start


def test_long_passages_are_read_in_overlapping_windows(reader):
    filler = " ".join(f"Sentence number {i} talks about weather." for i in range(120))
    passage = filler + " The treasure is buried under the old oak tree. " + filler
    reading = reader.read("Where is the treasure buried?", [passage])
    assert "oak tree" in reading.best.text
    assert passage[reading.best.start : reading.best.end] == reading.best.text


def test_batches_questions_and_rejects_empty_ones(reader):
    readings = reader.read_many([("Who is the mayor?", PASSAGES), ("When will the band play?", PASSAGES)])
    assert readings[0].best.text == "Anna Berg" and "June" in readings[1].best.text
    with pytest.raises(ValueError, match="empty"):
        reader.read("  ", PASSAGES)


def test_a_quote_never_stops_inside_a_name_the_reader_nearly_as_much_likes_whole(reader):
    # The reader's best span here is "Civic" (17.2 int8, 17.6 fp32), "Civic Platform" a logit or so
    # below: quoted alone, the first word misnames the party.
    passage = "Jan Kowal said he was jailed while his rival's old party Civic Platform was in power."
    best = reader.read("Which party was in power when Jan Kowal was jailed?", [passage]).best
    assert best.text == "Civic Platform" and passage[best.start : best.end] == best.text
    assert best.score > 15.0  # the cut span's score, kept: whether to answer is unchanged


@pytest.fixture(scope="module")
def fp32_reader() -> Reader:
    exact = Reader(precision="fp32", backend="torch")
    exact.warm_up()
    return exact


@pytest.mark.parametrize(("backend", "precision"), [("torch", "bf16"), ("torch", "int8"), ("onnx", "int8")])
def test_fast_paths_agree_with_fp32(fp32_reader, backend, precision):
    fast = Reader(precision=precision, backend=backend)
    exact, quick = (r.read("Who is the mayor?", PASSAGES).best for r in (fp32_reader, fast))
    assert (fp32_reader.precision, fast.precision, fast.backend) == ("fp32", precision, backend)
    assert quick.text == exact.text == "Anna Berg"
    # Two numeric paths ran (the same one twice would give the same score to the last bit), and
    # they agree: bf16 within 0.1 of a 20.6 margin here, dynamic int8 within 4.6 (its 3 F1 loss).
    assert quick.score != exact.score and abs(quick.score - exact.score) < 0.25 * exact.score


QUESTIONS = [
    "Who is the mayor?",
    "Where will the tram line go?",
    "When will the band play?",
    "How fast did tickets sell?",
]


def test_onnx_runtime_fp32_gives_the_spans_of_pytorch_fp32(fp32_reader, tmp_path: Path):
    from qa.backend.onnx_reader import OnnxReaderModel

    onnx = Reader(precision="fp32", cache_dir=tmp_path)  # backend "auto": ONNX Runtime on the CPU
    onnx.warm_up()
    assert onnx.backend == "onnx" and isinstance(onnx._network, OnnxReaderModel)
    assert onnx.precision_reason == "fp32 (ONNX Runtime): as asked"
    for question in QUESTIONS:
        exact, ported = (r.read(question, PASSAGES, top_k=3) for r in (fp32_reader, onnx))
        assert [(s.passage_index, s.start, s.end) for s in ported.spans] == [
            (s.passage_index, s.start, s.end) for s in exact.spans
        ]
        assert [s.score for s in ported.spans] == pytest.approx([s.score for s in exact.spans], abs=1e-3)


def test_the_onnx_export_is_made_once_and_reused(tmp_path: Path):
    first = Reader(cache_dir=tmp_path)
    first.warm_up()
    (folder,) = (tmp_path / "readers").iterdir()
    card = folder / "reader-onnx.json"
    made = card.stat().st_mtime_ns
    second = Reader(cache_dir=tmp_path)
    second.warm_up()
    assert list((tmp_path / "readers").iterdir()) == [folder] and card.stat().st_mtime_ns == made
    int8 = {"reader.int8.onnx"} if second.precision == "int8" else set()  # int8 with VNNI only
    assert {p.name for p in folder.iterdir()} == {"reader.onnx", "reader-onnx.json"} | int8
    assert second.read("Who is the mayor?", PASSAGES).best.text == "Anna Berg"


def test_int8_is_quantised_only_when_asked_for(tmp_path: Path):
    """A CPU that reads in fp32 never pays for quantising (3.4 s of an AVX2 machine's first start)."""
    fp32 = Reader(backend="onnx", precision="fp32", cache_dir=tmp_path)
    fp32.warm_up()
    (folder,) = (tmp_path / "readers").iterdir()
    assert {p.name for p in folder.iterdir()} == {"reader.onnx", "reader-onnx.json"}
    made = (folder / "reader.onnx").stat().st_mtime_ns
    int8 = Reader(backend="onnx", precision="int8", cache_dir=tmp_path)
    int8.warm_up()
    assert {p.name for p in folder.iterdir()} == {"reader.onnx", "reader.int8.onnx", "reader-onnx.json"}
    assert (folder / "reader.onnx").stat().st_mtime_ns == made  # quantised from the export, not redone
    assert int8.read("Who is the mayor?", PASSAGES).best.text == "Anna Berg"


def test_an_unwritable_cache_runs_auto_on_pytorch_and_fails_an_explicit_onnx_clearly(tmp_path: Path):
    from qa.backend.cache import ExportCacheError

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    auto = Reader(cache_dir=blocked)
    auto.warm_up()
    assert (auto.backend, auto.precision) == ("torch", "fp32")
    assert auto.precision_reason.startswith("fp32 (PyTorch): the ONNX export failed")
    assert auto.read("Who is the mayor?", PASSAGES).best.text == "Anna Berg"
    with pytest.raises(ExportCacheError, match="point NEWSDESK_CACHE at a writable folder"):
        Reader(backend="onnx", cache_dir=blocked).warm_up()
    with pytest.raises(ValueError, match="ONNX Runtime has no bf16 path"):
        Reader(backend="onnx", precision="bf16")
    with pytest.raises(ValueError, match="unknown reader backend 'tensorflow'"):
        Reader(backend="tensorflow")  # type: ignore[arg-type]


def test_reading_the_best_passage_then_the_rest_is_reading_all_at_once(reader):
    passages = [*PASSAGES, "The airport tram line will open in 2027, said the mayor, Anna Berg."]
    for question in QUESTIONS:
        whole = reader.read(question, passages, top_k=3)
        first = reader.read(question, passages, top_k=3, only=[0])
        assert first.passages == tuple(passages) and first.per_passage[1:] == (None, None)
        assert all(span.passage_index == 0 for span in first.spans)
        rest = reader.read(question, passages, top_k=3, only=[1, 2])
        merged = merge_readings(first, rest, 3)
        assert [(s.passage_index, s.text) for s in merged.spans] == [(s.passage_index, s.text) for s in whole.spans]
        assert [s and (s.passage_index, s.text) for s in merged.per_passage] == [
            s and (s.passage_index, s.text) for s in whole.per_passage
        ]
        assert [s.score for s in merged.spans] == pytest.approx([s.score for s in whole.spans], abs=1e-3)


def test_the_card_documents_the_model():
    card = read_card()
    assert card["format_version"] == 1 and card["max_length"] == 256
    assert "no_answer_threshold" in card and "archive_threshold" in card
    assert (SHIPPED_READER_DIR / "README.md").is_file()


def test_damaged_weights_fail_clearly(tmp_path: Path):
    damaged = tmp_path / "reader"
    shutil.copytree(SHIPPED_READER_DIR, damaged)
    data = bytearray((damaged / "reader.safetensors").read_bytes())
    data[-100] ^= 0xFF
    (damaged / "reader.safetensors").write_bytes(bytes(data))
    with pytest.raises(ReaderModelError, match="damaged"):
        load_shipped_reader(damaged)
    (damaged / "reader.safetensors").unlink()
    with pytest.raises(ReaderModelError, match="missing"):
        load_shipped_reader(damaged)


def test_export_is_a_standard_hugging_face_model(tmp_path: Path, reader):
    out = export_reader(tmp_path / "export")
    model = AutoModelForQuestionAnswering.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    inputs = tokenizer("Who is the mayor?", PASSAGES[0], return_tensors="pt")
    with torch.inference_mode():
        output = model(**inputs)
    start, end = int(output.start_logits.argmax()), int(output.end_logits.argmax())
    assert tokenizer.decode(inputs["input_ids"][0, start : end + 1]) == "anna berg"
    # And the Reader runtime loads the exported folder like any checkpoint.
    assert Reader(str(out)).read("Who is the mayor?", PASSAGES).best.text == "Anna Berg"


def test_a_long_question_is_read_by_its_last_word_pieces(reader):
    # 800 characters, under the 1,000-character limit: once a tokenizer panic ("stride must be
    # strictly less than max_len"), now read by its last 64 word pieces.
    preamble = "I have been reading about the city council and its plans for the coming years, " * 10
    question = (preamble + "so tell me: who is the mayor?")[-800:]
    assert len(question) == 800
    reading = reader.read(question, PASSAGES)
    assert reading.best.text == "Anna Berg"


def test_the_path_told_before_loading_is_the_one_loading_takes(tmp_path: Path):
    # A copy of the shipped reader keeps its card (bf16 preferred): the facade once assumed fp32
    # for any reader but the shipped one, and told a path that loading then did not take.
    from qa import Newsdesk

    copy = tmp_path / "reader"
    shutil.copytree(SHIPPED_READER_DIR, copy)
    for backend in ("torch", "auto"):
        reader = Reader(model=copy, backend=backend, cache_dir=tmp_path / "cache")
        desk = Newsdesk(articles_dir=tmp_path, index_dir=tmp_path / "index", reader=reader)
        told = desk.precision()["reader"]
        reader.warm_up()
        assert told == reader.precision_reason == desk.precision()["reader"]
