"""Pure evaluation of experiments and flags over the config GET /config serves."""
from .conditions import STEP_BUDGET, Budget, budget_shares, evaluate_condition, with_user_id
from .hashing import bucket, in_namespace, in_rollout, pick_variant


def evaluate_experiment(experiment, user_id, attributes=None, exposed_variant_key=None, budget=None):
    """The user's assignment (a dict shaped like the API's Assignment, with `reason`: None exactly
    when the answer is an exposure, as the server and the TypeScript SDK answer), or None for a draft
    or an experiment without variants.

    `exposed_variant_key`: the variant this user was already shown in this experiment. Targeting
    decides who enters and never takes a shown user out: a user who fails targeting alone (the
    namespace still holds them) stays in when that key is still their bucketed variant; a key
    naming any other variant is ignored (docs/targeting.md).

    `budget`: the Budget the targeting condition runs under (a fresh one of STEP_BUDGET steps if
    None); a condition that runs out of it does not match (reason "targeting")."""
    variants = experiment.get("variants") or []
    control = next((v for v in variants if v.get("variant_type") == "control"), variants[0] if variants else None)
    status = experiment.get("status")
    if status == "draft" or control is None:
        return None
    variant, reason = control, None
    if status == "running":
        targeting, namespace = experiment.get("targeting"), experiment.get("namespace")
        in_ns = namespace is None or in_namespace(user_id, namespace)
        if targeting is not None and not evaluate_condition(with_user_id(attributes, user_id), targeting, budget):
            reason = "targeting"
        elif not in_ns:
            reason = "namespace"
        # A shown user failing targeting only: their bucket (which targeting never moves) decides.
        sticky = reason == "targeting" and exposed_variant_key is not None and in_ns
        if reason is None or sticky:
            b = bucket(experiment["seed"], user_id)
            index = pick_variant(b, experiment["coverage"], [v["traffic_percentage"] for v in variants])
            if index is None:
                reason = "targeting" if sticky else "coverage"
            elif sticky and variants[index]["key"] != exposed_variant_key:
                reason = "targeting"
            else:
                variant, reason = variants[index], None
    elif status == "paused":
        reason = "paused"
    else:
        winner = experiment.get("winner_variant_id")
        variant = next((v for v in variants if v["id"] == winner), control)
        reason = "completed"
    answer = {
        "experiment_id": experiment["id"],
        "experiment_key": experiment["key"],
        "variant_id": variant["id"],
        "variant_key": variant["key"],
        "variant_name": variant.get("variant_name"),
        "variant_type": variant.get("variant_type"),
        "model_version": variant.get("model_version"),
        "config": variant.get("config", {}),
        "in_experiment": reason is None,
        "reason": reason,
    }
    return answer


def evaluate_flag(flag, user_id, attributes=None, budget=None):
    """{value, rule_index, reason}: the first rule whose rollout holds the user and whose
    condition matches, else the default; a disabled flag gives its default to everyone.

    One `budget` (a fresh one of STEP_BUDGET steps if None) bounds all the flag's rules, as on the
    server: once a condition runs out of it, every later condition that needs a step does not
    match either."""
    if budget is None:
        budget = Budget()
    if not flag.get("enabled"):
        return {"value": flag.get("default_value"), "rule_index": None, "reason": "disabled"}
    attrs = None
    for i, rule in enumerate(flag.get("rules") or []):
        if not in_rollout(flag["key"], user_id, rule["rollout_percentage"]):
            continue
        condition = rule.get("condition")
        if condition is not None:
            attrs = attrs if attrs is not None else with_user_id(attributes, user_id)
            if not evaluate_condition(attrs, condition, budget):
                continue
        return {"value": rule.get("value"), "rule_index": i, "reason": "rule"}
    return {"value": flag.get("default_value"), "rule_index": None, "reason": "default"}


def evaluate_flags(flags, user_id, attributes=None, keys=None, total_steps=STEP_BUDGET):
    """Every flag of the list `flags` (or those named in `keys`, unknown ones `not_found`), keyed by
    flag key, as POST /flags/evaluate and the TypeScript SDK's getFlags answer: the flags share
    one budget of `total_steps`, split by budget_shares so that costly ones early in the list
    cannot starve the others."""
    out = {}
    if keys is None:
        share = budget_shares(total_steps, len(flags))
        for flag in flags:
            out[flag["key"]] = evaluate_flag(flag, user_id, attributes, share())
        return out
    by_key = {flag["key"]: flag for flag in flags}
    share = budget_shares(total_steps, len(keys))
    for key in keys:
        flag = by_key.get(key)
        out[key] = ({"value": None, "rule_index": None, "reason": "not_found"} if flag is None
                    else evaluate_flag(flag, user_id, attributes, share()))
    return out
