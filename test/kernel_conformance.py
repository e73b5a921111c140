"""Jupyter's own kernel conformance suite (jupyter_kernel_test) against the phasor kernel.

Run by test/kernel-conformance.test.ts with JUPYTER_PATH pointing at a freshly installed
kernelspec. Every attribute the suite supports is set.
"""
import unittest

import jupyter_kernel_test


class PhasorKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "phasor"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.ma", "matches": {"max"}},
        {"text": "%lsm", "matches": {"%lsmagic"}},
        {"text": "const zebra_count = 1; zebra_c", "matches": {"zebra_count"}},
    ]
    complete_code_samples = ["1", "let x = 1", "function f() { return 1 }", "%lsmagic", "%time 1 + 1"]
    incomplete_code_samples = ["function f() {", "let xs = [1,", "if (true) {\n  1", "%%time\nconst a = 1"]
    invalid_code_samples = ["let x = );", "}", "const = 5"]

    code_page_something = "%time?"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
        {
            "code": "({ [Symbol.for('Jupyter.display')]() { return { 'text/html': '<b>own</b>', 'text/plain': 'own' } } })",
            "mime": "text/html",
            "result": "<b>own</b>",
        },
    ]
    code_display_data = [
        {"code": 'display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": 'display.markdown("# Title")', "mime": "text/markdown"},
        {"code": "display.json({ a: 1 })", "mime": "application/json"},
    ]

    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"
    code_clear_output = "display.clear()"


if __name__ == "__main__":
    unittest.main(verbosity=2)
