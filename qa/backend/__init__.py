"""Exports of the models to ONNX Runtime, as free functions, and the cache they live in.

`cache` names and writes exports (made once, in a staging folder renamed into place);
`onnx_reader` exports the reader and runs it; `quantize` makes an export's int8 file when int8 is
first asked for. The embedder's export is in `qa.embedding`.
"""
