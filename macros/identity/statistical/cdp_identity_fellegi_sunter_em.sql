{#- Expectation-maximisation of the Fellegi-Sunter m probabilities (docs/identity.md, "Statistical links"), run
    while the model compiles on the counts of each comparison vector (a few hundred rows, whatever the data's size):

    - one training session per training rule (identity_blocking_rules.is_training_rule), on the candidate pairs
      that agree on its keys; the comparisons the rule's keys decide
      (cdp_identity_match_comparisons, `keys`) agree by construction there, so they are left out of that session;
    - u is fixed (random pairs, int_identity_match_u_probabilities); each round gives every vector its probability
      of being a match under the current m and prior (E step), then m of each level = the expected matches at that
      level / the expected matches with the comparison known, and the prior = the expected share of matches (M step);
    - a comparison's m is the mean over the sessions that estimated it, each weighted by its expected matches with
      the comparison known (a session that saw the field on few pairs counts little);
    - finally the share of matches among all candidate pairs is estimated the same way with every m fixed.

    `patterns`: rows (rule_order, level per comparison in cdp_identity_match_comparisons order, pair count): the
    vectors of each rule's pairs under its rule_order, and those of all candidate pairs under rule_order 0.
    `u`: {comparison: {level: u}}. Returns {'m': {comparison: {level: m}}, 'prior': p, 'sessions': n}. -#}
{% macro cdp_identity_fellegi_sunter_em(patterns, u, rules, max_iterations) -%}
    {%- set comparisons = cdp_identity_match_comparisons() -%}
    {%- set floor = 0.000001 -%}
    {%- set estimates = {} -%}
    {%- for comparison in comparisons -%}
        {%- do estimates.update({comparison.name: {}}) -%}
        {%- for level in comparison.levels + [{'level': 0}] -%}
            {%- do estimates[comparison.name].update({level.level: []}) -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- for rule in rules if rule.is_training_rule -%}
        {%- set rows = patterns | selectattr(0, 'equalto', rule.rule_order) | list -%}
        {%- set trained = [] -%}
        {%- for comparison in comparisons -%}
            {%- set decided = [] -%}
            {%- for key in comparison['keys'] if key in rule['keys'] -%}{%- do decided.append(key) -%}{%- endfor -%}
            {%- if not decided -%}{%- do trained.append(loop.index0) -%}{%- endif -%}
        {%- endfor -%}
        {%- if rows | length > 0 and trained | length > 0 -%}
            {#- start: the strongest level of each comparison likely among matches, the rest share what is left -#}
            {%- set m = {} -%}
            {%- for index in trained -%}
                {%- set comparison = comparisons[index] -%}
                {%- set levels = comparison.levels | map(attribute='level') | list + [0] -%}
                {%- do m.update({index: {}}) -%}
                {%- for level in levels -%}
                    {%- do m[index].update({level: 0.7 if loop.first else 0.3 / (levels | length - 1)}) -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- set state = namespace(prior=0.3, done=false) -%}
            {#- expected matches with each comparison known, in the last round (a dict: a loop cannot rebind) -#}
            {%- set known = {} -%}
            {%- for iteration in range(max_iterations) if not state.done -%}
                {%- set expected = namespace(matches=0.0, pairs=0.0) -%}
                {%- set at_level = {} -%}
                {%- for index in trained -%}
                    {%- do at_level.update({index: {}}) -%}
                    {%- do known.update({index: 0.0}) -%}
                    {%- for level in m[index] -%}{%- do at_level[index].update({level: 0.0}) -%}{%- endfor -%}
                {%- endfor -%}
                {%- for row in rows -%}
                    {%- set odds = namespace(match=state.prior, other=1 - state.prior) -%}
                    {%- for index in trained -%}
                        {%- set level = row[index + 1] | int -%}
                        {%- if level >= 0 -%}
                            {%- set odds.match = odds.match * m[index][level] -%}
                            {%- set odds.other = odds.other * u[comparisons[index].name].get(level, floor) -%}
                        {%- endif -%}
                    {%- endfor -%}
                    {%- set count = row[-1] | float -%}
                    {%- set weight = count * odds.match / (odds.match + odds.other) -%}
                    {%- set expected.matches = expected.matches + weight -%}
                    {%- set expected.pairs = expected.pairs + count -%}
                    {%- for index in trained -%}
                        {%- set level = row[index + 1] | int -%}
                        {%- if level >= 0 -%}
                            {%- do at_level[index].update({level: at_level[index][level] + weight}) -%}
                            {%- do known.update({index: known[index] + weight}) -%}
                        {%- endif -%}
                    {%- endfor -%}
                {%- endfor -%}
                {%- set moved = namespace(most=0.0) -%}
                {%- for index in trained if known[index] > 0 -%}
                    {%- for level in m[index] -%}
                        {%- set new_m = [at_level[index][level] / known[index], floor] | max -%}
                        {%- set moved.most = [moved.most, (new_m - m[index][level]) | abs] | max -%}
                        {%- do m[index].update({level: new_m}) -%}
                    {%- endfor -%}
                {%- endfor -%}
                {%- set state.prior = [[expected.matches / expected.pairs, floor] | max, 1 - floor] | min -%}
                {%- set state.done = moved.most < 0.0001 -%}
            {%- endfor -%}
            {%- for index in trained if known[index] > 0 -%}
                {%- for level in m[index] -%}
                    {%- do estimates[comparisons[index].name][level].append([m[index][level], known[index]]) -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set result = {'m': {}, 'prior': 0.0, 'sessions': rules | length} -%}
    {%- for comparison in comparisons -%}
        {%- do result.m.update({comparison.name: {}}) -%}
        {%- for level, values in estimates[comparison.name].items() -%}
            {%- set total = namespace(weighted=0.0, weights=0.0) -%}
            {%- for value, weight in values -%}
                {%- set total.weighted = total.weighted + value * weight -%}
                {%- set total.weights = total.weights + weight -%}
            {%- endfor -%}
            {%- do result.m[comparison.name].update(
                {level: total.weighted / total.weights if total.weights > 0 else none}) -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- the prior among all candidates, every m fixed -#}
    {%- set state = namespace(prior=0.3) -%}
    {%- set all_pairs = patterns | selectattr(0, 'equalto', 0) | list -%}
    {%- for iteration in range(max_iterations) -%}
        {%- set expected = namespace(matches=0.0, pairs=0.0) -%}
        {%- for row in all_pairs -%}
            {%- set odds = namespace(match=state.prior, other=1 - state.prior) -%}
            {%- for comparison in comparisons -%}
                {%- set level = row[loop.index] | int -%}
                {%- set m_level = result.m[comparison.name].get(level) -%}
                {%- if level >= 0 and m_level is not none -%}
                    {%- set odds.match = odds.match * m_level -%}
                    {%- set odds.other = odds.other * u[comparison.name].get(level, floor) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set count = row[-1] | float -%}
            {%- set expected.matches = expected.matches + count * odds.match / (odds.match + odds.other) -%}
            {%- set expected.pairs = expected.pairs + count -%}
        {%- endfor -%}
        {%- if expected.pairs > 0 -%}
            {%- set state.prior = [[expected.matches / expected.pairs, floor] | max, 1 - floor] | min -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do result.update({'prior': state.prior}) -%}
    {{ return(result) }}
{%- endmacro %}
