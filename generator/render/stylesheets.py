"""WeasyPrint's user-agent stylesheet cut down to the rules a given page can use.

The HTML5 user-agent stylesheet has rules for ~100 elements; the selectors it cannot index by
element name (`[hidden]`, `:is(…)[hidden]`, `[dir=rtl i]`…) are tried on every element of every
render, which was a third of the time spent computing styles. Our pages use a closed set of
elements and attributes, so a rule whose selector needs an element or an attribute the page
does not have can never match it: dropping it changes no computed style (rules keep their order
and specificity), only the time. (render/weasy.py gives this module WeasyPrint's stylesheet
and parses what it keeps.)
"""

from __future__ import annotations

from cssselect2 import parser

Vocabulary = tuple[frozenset[str], frozenset[str]]  # element names, attribute names (lower case)


def vocabulary(root) -> Vocabulary:
    """The element and attribute names used in an ElementTree page."""
    tags, attributes = set(), set()
    for element in root.iter():
        if isinstance(element.tag, str):
            tags.add(element.tag.lower())
            attributes.update(name.lower() for name in element.attrib)
    return frozenset(tags), frozenset(attributes)


def may_match(node, words: Vocabulary) -> bool:
    """False only when the selector needs an element or attribute name outside `words`."""
    tags, attributes = words
    if isinstance(node, parser.Selector):
        return may_match(node.parsed_tree, words)
    if isinstance(node, parser.CombinedSelector):
        return may_match(node.left, words) and may_match(node.right, words)
    if isinstance(node, parser.CompoundSelector):
        return all(may_match(simple, words) for simple in node.simple_selectors)
    if isinstance(node, parser.LocalNameSelector):
        return node.lower_local_name in tags
    if isinstance(node, parser.AttributeSelector):
        return node.lower_name in attributes
    if isinstance(node, parser.MatchesAnySelector):
        return any(may_match(selector, words) for selector in node.selector_list)
    return True  # pseudo-classes, :not(), :where(), :has(), ids, classes: kept


def selector_list(prelude: list) -> list[list]:
    """A rule's selectors, split at the commas outside :is(…) and other functions."""
    selectors: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def usable_rules(css: str, words: Vocabulary) -> str:
    """The stylesheet without the selectors that cannot match; at-rules (@page…) kept whole."""
    import tinycss2

    kept = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            kept.append(tinycss2.serialize([rule]))
            continue
        usable = [tokens for tokens in selector_list(rule.prelude) if any(may_match(s, words) for s in parser.parse(tokens, forgiving=True))]
        if usable:
            kept.append(f"{', '.join(tinycss2.serialize(tokens).strip() for tokens in usable)} {{{tinycss2.serialize(rule.content)}}}")
    return "\n".join(kept)

