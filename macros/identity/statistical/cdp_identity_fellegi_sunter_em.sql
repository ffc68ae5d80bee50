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
            {#- Jinja's sandbox makes every attribute read and call slow, so each vector is prepared once: its pair
                count and, per trained comparison it knows, that comparison's m (a dict updated in place), its level,
                its u and the two sums its weight goes to (at its level, with the comparison known). A round then
                only multiplies and adds, in the same order as before (the same floats). -#}
            {%- set at_level = {} -%}
            {%- set known = {} -%}
            {%- set tallies = [] -%}
            {%- for index in trained -%}
                {%- do known.update({index: namespace(total=0.0)}) -%}
                {%- do at_level.update({index: {}}) -%}
                {%- do tallies.append(known[index]) -%}
                {%- for level in m[index] -%}
                    {%- do at_level[index].update({level: namespace(total=0.0)}) -%}
                    {%- do tallies.append(at_level[index][level]) -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- set vectors = [] -%}
            {%- set pairs = namespace(total=0.0) -%}
            {%- for row in rows -%}
                {%- set factors = [] -%}
                {%- for index in trained -%}
                    {%- set level = row[index + 1] | int -%}
                    {%- if level >= 0 -%}
                        {%- do factors.append([m[index], level, u[comparisons[index].name].get(level, floor),
                                               at_level[index][level], known[index]]) -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- do vectors.append([row[-1] | float, factors]) -%}
                {%- set pairs.total = pairs.total + row[-1] | float -%}
            {%- endfor -%}
            {%- set state = namespace(prior=0.3, done=false) -%}
            {%- set odds = namespace(match=0.0, other=0.0) -%}
            {%- for iteration in range(max_iterations) if not state.done -%}
                {%- for tally in tallies -%}{%- set tally.total = 0.0 -%}{%- endfor -%}
                {%- set prior = state.prior -%}
                {%- set expected = namespace(matches=0.0) -%}
                {%- for count, factors in vectors -%}
                    {%- set odds.match = prior -%}
                    {%- set odds.other = 1 - prior -%}
                    {%- for m_of, level, u_level, level_sum, known_sum in factors -%}
                        {%- set odds.match = odds.match * m_of[level] -%}
                        {%- set odds.other = odds.other * u_level -%}
                    {%- endfor -%}
                    {%- set weight = count * odds.match / (odds.match + odds.other) -%}
                    {%- set expected.matches = expected.matches + weight -%}
                    {%- for m_of, level, u_level, level_sum, known_sum in factors -%}
                        {%- set level_sum.total = level_sum.total + weight -%}
                        {%- set known_sum.total = known_sum.total + weight -%}
                    {%- endfor -%}
                {%- endfor -%}
                {%- set moved = namespace(most=0.0) -%}
                {%- for index in trained if known[index].total > 0 -%}
                    {%- for level in m[index] -%}
                        {%- set new_m = [at_level[index][level].total / known[index].total, floor] | max -%}
                        {%- set moved.most = [moved.most, (new_m - m[index][level]) | abs] | max -%}
                        {%- do m[index].update({level: new_m}) -%}
                    {%- endfor -%}
                {%- endfor -%}
                {%- set state.prior = [[expected.matches / pairs.total, floor] | max, 1 - floor] | min -%}
                {%- set state.done = moved.most < 0.0001 -%}
            {%- endfor -%}
            {%- for index in trained if known[index].total > 0 -%}
                {%- for level in m[index] -%}
                    {%- do estimates[comparisons[index].name][level].append([m[index][level], known[index].total]) -%}
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

    {#- the prior among all candidates, every m fixed: each vector's products of m and of u once, then one
        expression per vector and round -#}
    {%- set state = namespace(prior=0.3) -%}
    {%- set vectors = [] -%}
    {%- set pairs = namespace(total=0.0) -%}
    {%- for row in patterns if row[0] == 0 -%}
        {%- set odds = namespace(match=1.0, other=1.0) -%}
        {%- for comparison in comparisons -%}
            {%- set level = row[loop.index] | int -%}
            {%- set m_level = result.m[comparison.name].get(level) -%}
            {%- if level >= 0 and m_level is not none -%}
                {%- set odds.match = odds.match * m_level -%}
                {%- set odds.other = odds.other * u[comparison.name].get(level, floor) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do vectors.append([row[-1] | float, odds.match, odds.other]) -%}
        {%- set pairs.total = pairs.total + row[-1] | float -%}
    {%- endfor -%}
    {%- for iteration in range(max_iterations) if pairs.total > 0 -%}
        {%- set prior = state.prior -%}
        {%- set expected = namespace(matches=0.0) -%}
        {%- for count, match, other in vectors -%}
            {%- set expected.matches = expected.matches
                + count * (prior * match) / (prior * match + (1 - prior) * other) -%}
        {%- endfor -%}
        {%- set state.prior = [[expected.matches / pairs.total, floor] | max, 1 - floor] | min -%}
    {%- endfor -%}
    {%- do result.update({'prior': state.prior}) -%}
    {{ return(result) }}
{%- endmacro %}
