"""Tricky package.py files: (source, expectation). 'static' must parse and equal rez;
'dynamic' must be declined (or, if accepted, equal rez); 'any' means either is fine
as long as an accepted value equals rez and a rez error is never a value."""

from __future__ import annotations

BASE = "name = 'pkg'\nversion = '1.0'\n"


def _nested_loops(depth: int) -> str:
    body = "".join("    " * (i + 1) + f"for x{i} in y:\n" for i in range(depth))
    return "def f():\n" + body + "    " * (depth + 1) + "pass\n"


NESTED_20 = _nested_loops(20)  # 20 nested loops compile; 21 do not
NESTED_21 = _nested_loops(21)

CORPUS: dict[str, tuple[str, str]] = {
    # -- static: must parse and equal rez
    "plain": (BASE + "requires = ['foo-1', 'bar']\n", "static"),
    "no_fields": ("", "static"),
    "only_name": ("name = 'pkg'\n", "static"),
    "requires_normalised": (BASE + "requires = ['foo>=1', 'bar-==2', 'baz@3', '~qux<2', '!x-1']\n", "static"),
    "weak_any": (BASE + "requires = ['~foo', '~foo-', 'foo-+']\n", "static"),
    "ephemeral": (BASE + "requires = ['.eph-1', '.eph2<2']\n", "static"),
    "variants": (BASE + "variants = [['python-2.7'], ['python-3.6', 'maya-2018']]\n", "static"),
    "variants_empty": (BASE + "variants = []\n", "static"),
    "requires_empty": (BASE + "requires = []\n", "static"),
    "trailing_commas": (BASE + "requires = [\n  'a',\n  'b',\n]\nvariants = [['c',],]\n", "static"),
    "comments": ("# header\n" + BASE + "requires = ['a']  # why\n# end\n", "static"),
    "docstring": ('"""A package."""\n' + BASE, "static"),
    "description_multiline": (BASE + 'description = """\nmulti\nline\n"""\n', "static"),
    "u_strings": (BASE + "requires = [u'foo-1']\n", "static"),
    "r_strings": (BASE + "requires = [r'foo-1']\n", "static"),
    "coding_cookie": ("# -*- coding: utf-8 -*-\n" + BASE + "description = 'ü'\n", "static"),
    "latin1_cookie": ("# -*- coding: latin-1 -*-\n" + BASE, "static"),
    "bom": ("\ufeff" + BASE + "requires = ['a']\n", "static"),
    "with_scope": (BASE + "with scope('config') as c:\n    pass\n", "static"),
    "with_scope_plain": (BASE + "with scope('config'):\n    release_packages_path = '/x'\n", "static"),
    "def_commands": (BASE + "def commands():\n    env.PATH.append('{root}/bin')\n", "static"),
    "def_pre_commands": (BASE + "def pre_commands():\n    pass\ndef post_commands():\n    pass\n", "static"),
    "late_tools": (BASE + "@late()\ndef tools():\n    return ['a']\n", "static"),
    "name_mismatch": ("name = 'other'\nversion = '9.9'\nrequires = ['a']\n", "static"),
    "format_version": (BASE + "format_version = 2\n", "static"),
    "timestamp": (BASE + "timestamp = 1600000000\n", "static"),
    "hashed_variants": (BASE + "hashed_variants = True\nvariants = [['a']]\ntimestamp = 5\n", "static"),
    "uuid_authors": (BASE + "uuid = 'abc'\nauthors = ['me']\ntools = ['t']\n", "static"),
    "private_names": (BASE + "_private = 1\n__dunder = 2\n", "static"),
    "pass_stmt": (BASE + "pass\n", "static"),
    "tuples_elsewhere": (BASE + "tools = ('a', 'b')\n", "static"),
    "dict_field": (BASE + "config = {'a': 1, 'b': [1, 2]}\n", "static"),
    "negative_number": (BASE + "priority = -1\n", "static"),
    "requires_twice": (BASE + "requires = ['a']\nrequires = ['b']\n", "static"),
    "build_requires": (BASE + "build_requires = ['cmake']\nprivate_build_requires = ['x']\n", "static"),
    # -- rez errors: we must never return a value
    "requires_tuple": (BASE + "requires = ('a', 'b')\n", "error"),
    "requires_str": (BASE + "requires = 'foo'\n", "error"),
    "requires_bad": (BASE + "requires = ['foo--1']\n", "error"),
    "requires_bad_name": (BASE + "requires = ['foo.-1', 'a b']\n", "error"),
    "requires_int": (BASE + "requires = [1]\n", "error"),
    "variant_tuple": (BASE + "variants = [('a',)]\n", "error"),
    "variant_str": (BASE + "variants = ['a']\n", "error"),
    "variants_tuple": (BASE + "variants = (['a'],)\n", "error"),
    "timestamp_str": (BASE + "timestamp = '123'\n", "error"),
    "timestamp_none": (BASE + "timestamp = None\n", "error"),
    "requires_none": (BASE + "requires = None\n", "error"),
    "syntax_error": (BASE + "requires = ['a'\n", "error"),
    "nul_byte": (BASE + "x = 1\0\n", "error"),
    "bad_utf8": (BASE + "description = '\udcff'\n", "error"),
    "conflict_ephemeral": (BASE + "requires = ['!.foo']\n", "error"),  # PackageRequest: raw text
    "weak_ephemeral": (BASE + "requires = ['~.eph-2']\n", "error"),  # starts with '.' or not
    "unversioned_name_only": (BASE + "requires = ['foo1.0']\n", "static"),
    # -- dynamic: must be declined
    "early": (BASE + "@early()\ndef requires():\n    return ['a']\n", "dynamic"),
    "early_other": (BASE + "@early()\ndef description():\n    return 'x'\n", "dynamic"),
    "early_no_parens": (BASE + "@early\ndef description():\n    return 'x'\n", "dynamic"),
    "late_requires": (BASE + "@late()\ndef requires():\n    return ['a']\n", "dynamic"),
    "def_requires": (BASE + "def requires():\n    return ['a']\n", "dynamic"),
    "import": ("import os\n" + BASE, "static"),
    "from_import": ("from os import path\n" + BASE, "static"),
    "if": (BASE + "if True:\n    requires = ['a']\n", "dynamic"),
    "for": (BASE + "for x in []:\n    pass\n", "dynamic"),
    "concat": (BASE + "requires = ['a'] + ['b']\n", "static"),
    "call": (BASE + "requires = list(['a'])\n", "dynamic"),
    "fstring": (BASE + "v = '1'\nrequires = [f'foo-{v}']\n", "static"),
    "name_ref": (BASE + "base = ['a']\nrequires = base\n", "static"),
    "comprehension": (BASE + "requires = [x for x in ['a']]\n", "dynamic"),
    "augmented": (BASE + "requires = ['a']\nrequires += ['b']\n", "dynamic"),
    "delete": (BASE + "requires = ['a']\ndel requires\n", "dynamic"),
    "star": (BASE + "requires = [*['a']]\n", "dynamic"),
    "walrus": (BASE + "requires = [(x := 'a')]\n", "dynamic"),
    "chained": (BASE + "requires = build_requires = ['a']\n", "static"),
    "attribute_assign": (BASE + "import sys\nsys.x = 1\n", "dynamic"),
    "subscript_assign": (BASE + "d = {}\nd['a'] = 1\n", "dynamic"),
    "expression_call": (BASE + "print('hi')\n", "dynamic"),
    "class": (BASE + "class A:\n    pass\n", "dynamic"),
    "annotated": (BASE + "requires: list = ['a']\n", "dynamic"),
    "default_arg": (BASE + "def commands(x=print('hi')):\n    pass\n", "dynamic"),
    "lambda": (BASE + "helper = lambda: 1\n", "dynamic"),
    "raise": (BASE + "raise ValueError('no')\n", "dynamic"),
    "try": (BASE + "try:\n    pass\nexcept Exception:\n    pass\n", "dynamic"),
    "binop_number": (BASE + "timestamp = 1 + 2\n", "static"),

    # -- compile-time errors that ast.parse lets through: rez's compile() refuses them
    "compile_break_in_def": (BASE + "def f():\n    break\n", "error"),
    "compile_continue_in_def": (BASE + "def f():\n    continue\n", "error"),
    "compile_nonlocal_in_def": (BASE + "def f():\n    nonlocal x\n", "error"),
    "compile_duplicate_argument": (BASE + "def f(a, a):\n    pass\n", "error"),
    "compile_global_after_use": (BASE + "def f():\n    x = 1\n    global x\n", "error"),
    "compile_star_import_in_def": (BASE + "def f():\n    from os import *\n", "error"),
    "compile_future_in_def": (BASE + "def f():\n    from __future__ import division\n", "error"),
    "compile_await_in_def": (BASE + "def f():\n    await x\n", "error"),
    "compile_yield_in_comprehension": (BASE + "def f():\n    return [(yield x) for x in y]\n", "error"),
    "compile_too_many_nested_blocks": (BASE + NESTED_21, "error"),
    "compile_nested_blocks_20_ok": (BASE + NESTED_20, "static"),
    "compile_debug_module": (BASE + "__debug__ = 1\n", "error"),
    "compile_debug_in_scope": (BASE + "with scope('config'):\n    __debug__ = 1\n", "error"),
    "compile_debug_parameter": (BASE + "def f(__debug__):\n    pass\n", "error"),
    "compile_error_in_commands": (BASE + "def commands():\n    return\n    yield from x\n    break\n", "error"),
    # -- scopes named like a solver field: rez replaces the field with the scope's dict
    "scope_requires": (BASE + "requires = ['a']\nwith scope('requires'):\n    pass\n", "dynamic"),
    "scope_variants": (BASE + "with scope('variants'):\n    x = 1\n", "dynamic"),
    "scope_timestamp": (BASE + "with scope('timestamp'):\n    pass\n", "dynamic"),
    "scope_as_settings": (BASE + "requires = ['a']\nwith scope('config') as config:\n"
                          "    config.release_packages_path = '/p'\n    config.plugins.a.b = [1]\n"
                          "    requires = ['z']\n", "static"),
    "scope_nested": (BASE + "with scope('config') as c:\n    with scope('sub') as s:\n        s.x = 1\n"
                     "        requires = ['z']\n    c.y = 2\nrequires = ['a']\n", "static"),
    "scope_reads_module_name": (BASE + "base = 'x'\nwith scope('config') as c:\n    c.path = base + '/p'\n",
                                "static"),
    "scope_object_attribute": (BASE + "with scope('config') as c:\n    c.data.x = 1\n", "dynamic"),
    # -- settings are data or child objects (rez.utils.scope): setting through data raises
    "scope_set_through_value": (BASE + "with scope('config') as c:\n    c.foo = 1\n    c.foo.bar = 2\n", "error"),
    "scope_set_through_dict": (BASE + "with scope('config') as c:\n    c.foo = {}\n    c.foo.bar = 2\n", "error"),
    "scope_set_through_child_value": (BASE + "with scope('config') as c:\n    c.a.b = 1\n    c.a.b.c = 2\n", "error"),
    "scope_set_through_earlier_block": (BASE + "with scope('config') as c:\n    c.foo = 1\n"
                                        "with scope('config') as d:\n    d.foo.bar = 2\n", "error"),
    "scope_set_through_plain_name": (BASE + "with scope('config'):\n    foo = 1\n"
                                     "with scope('config') as d:\n    d.foo.bar = 2\n", "error"),
    "scope_set_through_plain_dict": (BASE + "with scope('config'):\n    foo = {'a': 1}\n"
                                     "with scope('config') as d:\n    d.foo.bar = 2\n", "static"),
    "scope_set_through_nested_value": (BASE + "with scope('config') as c:\n    with scope('sub') as s:\n"
                                       "        s.x = 1\n    c.sub = 3\n    c.sub.z = 1\n", "error"),
    "scope_set_through_nested_scope": (BASE + "with scope('config') as c:\n    with scope('sub') as s:\n"
                                       "        s.x = 1\n    c.sub.y = 2\n", "static"),
    "scope_nested_scope_after_value": (BASE + "with scope('config') as c:\n    c.sub = 1\n"
                                       "    with scope('sub') as s:\n        s.x = 1\n", "static"),
    "scope_children": (BASE + "with scope('config') as c:\n    c.a.b = 1\n    c.a.d = 2\n    c.a.b = 3\n",
                       "static"),
    "scope_private_setting": (BASE + "with scope('config') as c:\n    c._x = '/p'\n", "static"),
    "scope_object_attribute_setting": (BASE + "with scope('config') as c:\n    c.data = 1\n    c.get = 2\n"
                                       "    c.read_only = True\n    c.y = 1\n", "static"),
    "scope_private_child": (BASE + "with scope('config') as c:\n    c._x.y = 1\n", "any"),
    "scope_dunder_setting": (BASE + "with scope('config') as c:\n    c.__x__ = 1\n", "any"),
    # a module-level name the block leaves alone is no setting, unless it differs from itself
    "scope_module_unchanged": ("import os\n" + BASE + "with scope('config') as c:\n    pass\n"
                               "with scope('config') as d:\n    d.os.x = 1\n", "static"),
    "scope_nan_unchanged": (BASE + "x = 1e999 + -1e999\nwith scope('config') as c:\n    c.x.y = 1\n"
                            "with scope('config') as d:\n    d.x.y = 1\n", "error"),
    "scope_imported_nan": ("from math import nan\n" + BASE + "with scope('config') as c:\n    pass\n"
                           "with scope('config') as d:\n    d.nan.y = 1\n", "error"),
    # -- rez's own names rebound by the file
    "rebound_scope_unused": (BASE + "scope = 1\nrequires = ['a']\n", "static"),
    "rebound_scope_used": (BASE + "scope = 1\nwith scope('config'):\n    pass\n", "error"),
    "rebound_late_used": (BASE + "late = 0\n@late()\ndef description():\n    return 'x'\n", "error"),
    "rebound_late_by_def": (BASE + "def late():\n    pass\n@late()\ndef description():\n    return 'x'\n",
                            "error"),
    "rebound_scope_by_def": (BASE + "def scope(n):\n    pass\nwith scope('config'):\n    pass\n", "error"),
    "rebound_scope_by_lint_helper": (BASE + "from rez.utils.lint_helper import env, scope\n"
                                     "with scope('config') as c:\n    c.x = 1\n", "error"),
    "rebound_late_by_import": (BASE + "import os as late\n@late()\ndef description():\n    return 'x'\n",
                               "error"),
    # -- @late() on rex functions: rez's late() raises
    "late_commands": (BASE + "@late()\ndef commands():\n    pass\n", "error"),
    "late_pre_commands": (BASE + "@late()\ndef pre_commands():\n    pass\n", "error"),
    "late_post_commands": (BASE + "@late()\ndef post_commands():\n    pass\n", "error"),
    "late_other_field": (BASE + "requires = ['a']\n@late()\ndef description():\n    return 'x'\n", "static"),
    # -- @include(...) records module names for when the code runs (rez.utils.sourcecode)
    "include_commands": (BASE + "@include('a', 'b')\ndef commands():\n    pass\n", "static"),
    "include_late": (BASE + "@late()\n@include('a')\ndef description():\n    return 'x'\n", "static"),
    "include_plain_function": (BASE + "@include('a')\ndef helper():\n    pass\n", "static"),
    "include_not_a_string": (BASE + "m = 'a'\n@include(m, 1)\ndef commands():\n    pass\n", "static"),
    "include_no_module": (BASE + "@include()\ndef commands():\n    pass\n", "error"),
    "include_keyword": (BASE + "@include('a', b='c')\ndef commands():\n    pass\n", "error"),
    "include_unbound_name": (BASE + "@include(nope)\ndef commands():\n    pass\n", "error"),
    "include_requires": (BASE + "@include('a')\ndef requires():\n    return []\n", "dynamic"),
    # -- rez's own names read back from the namespace (lint-friendly spellings)
    "late_from_locals": ("late = locals()['late']\n" + BASE + "@late()\ndef description():\n    return 'x'\n",
                         "static"),
    "late_from_globals": ('late = globals()["late"]\n' + BASE, "static"),
    "include_from_globals": ('include = globals()["include"]\n' + BASE, "static"),
    "late_from_locals_other_name": ("early = locals()['late']\n" + BASE, "any"),
    "missing_from_locals": ("late = locals()['nope']\n" + BASE, "error"),
    "late_from_rebound_locals": ("locals = dict\nlate = locals()['late']\n" + BASE, "error"),
    "late_from_locals_after_rebinding": ("late = 0\nlate = locals()['late']\n" + BASE
                                         + "@late()\ndef description():\n    return 'x'\n", "error"),
    # -- defaults are evaluated by the 'def'; annotations are not (postponed by rez's compile)
    "def_annotations": (BASE + "def commands() -> None:\n    pass\n"
                        "def helper(a: Undefined, *b: 'x', **c: list[int]) -> Nope:\n    pass\n", "static"),
    "def_literal_defaults": (BASE + "x = 3\ndef helper(a=1, b=x, *, c=[1, 'x'], d=None, e):\n    pass\n",
                             "static"),
    "def_unbound_default": (BASE + "def helper(a=undefined_name):\n    pass\n", "error"),
    "def_default_bound_later": (BASE + "def helper(a=later):\n    pass\nlater = 1\n", "error"),
    "def_call_default": (BASE + "def helper(a=len('x')):\n    pass\n", "dynamic"),
    # -- timestamp = True loads as 1 (bool is an int to rez's schema)
    "timestamp_true": (BASE + "timestamp = True\n", "static"),
    # -- integers: the fast path takes up to 18 digits; past Python's limit on digits
    # (4,300), rez's compile fails
    "timestamp_18_digits": (BASE + "timestamp = 999999999999999999\n", "static"),
    "timestamp_19_digits": (BASE + "timestamp = 1000000000000000000\n", "static"),
    "timestamp_past_the_digit_limit": (BASE + "timestamp = " + "1" * 5000 + "\n", "error"),
    "integer_past_the_digit_limit": (BASE + "x = " + "1" * 5000 + "\n", "error"),
    "timestamp_false": (BASE + "timestamp = False\n", "static"),
    # -- imports: standard-library modules (rez strips the module) and rez's lint_helper (None)
    "import_stdlib": ("import os\nimport os.path\nimport sys as _sys\nimport platform\n" + BASE
                      + "requires = ['a']\n", "static"),
    "from_stdlib": ("from os import path, sep as _sep\n" + BASE + "requires = ['a']\n", "static"),
    "import_missing_module": ("import rezsnap_no_such_module\n" + BASE, "error"),
    "from_stdlib_missing_name": ("from os import rezsnap_no_such_name\n" + BASE, "error"),
    "import_as_field": (BASE + "import os as requires\n", "dynamic"),
    "from_import_as_field": (BASE + "from os import path as version\n", "dynamic"),
    "lint_helper": ("from rez.utils.lint_helper import env, building, early, scope\n" + BASE
                    + "requires = ['a']\ndescription = env\n", "static"),
    "lint_helper_field": ("from rez.utils.lint_helper import requires\n" + BASE, "dynamic"),
    "lint_helper_early_used": ("from rez.utils.lint_helper import early\n" + BASE
                               + "@early()\ndef description():\n    return 'x'\n", "error"),
    "import_future": ("from __future__ import annotations\n" + BASE, "dynamic"),
    # -- data expressions: Python's own operators on data bound earlier
    "expr_percent": (BASE + "uuid = 'repository.%s' % name\nrequires = ['foo-%s' % version]\n", "static"),
    "expr_percent_tuple": (BASE + "requires = ['%s-%d' % ('foo', 3)]\n", "static"),
    "expr_percent_width": (BASE + "requires = ['foo-%5s' % '1']\n", "dynamic"),
    "expr_percent_too_few": (BASE + "requires = ['%s-%s' % 'a']\n", "error"),
    "expr_format": (BASE + "requires = ['imath-{version}'.format(version=str(version)), '{}-{}'.format('a', 1)]\n",
                    "static"),
    "expr_format_attribute": (BASE + "requires = ['{0.real}'.format(1)]\n", "dynamic"),
    "expr_split_index": (BASE + "requires = ['maya-%s' % version.split('.')[0], version[0:1]]\n", "static"),
    "expr_join": (BASE + "requires = ['-'.join(['a', 'b'])]\n", "static"),
    "expr_index_error": (BASE + "requires = [version.split('.')[5]]\n", "error"),
    "expr_fstring_number": (BASE + "n = 3\nrequires = [f'foo-{n}', f'{name!s}-1']\ndescription = f'{name!r}'\n", "static"),
    "expr_fstring_spec": (BASE + "n = 3\nrequires = [f'foo-{n:03}']\n", "dynamic"),
    "expr_add_mixed": (BASE + "requires = ['a'] + ('b',)\n", "error"),
    "expr_add_str_int": (BASE + "requires = ['a-' + 1]\n", "error"),
    "expr_unbound_name": (BASE + "requires = [undefined_name]\n", "error"),
    "expr_builtin_name": (BASE + "requires = list\n", "dynamic"),
    "expr_str_rebound": (BASE + "str = 'x'\nrequires = [str(1)]\n", "error"),
    "expr_doubling": (BASE + "a = 'x'\n" + "a = a + a\n" * 30 + "description = a\n", "dynamic"),
}
