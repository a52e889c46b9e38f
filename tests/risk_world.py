"""The risk world of run/test_risk_by_hand.py, shared by the tests of risk, report and partial runs: Mine (allied,
100 tpa existing, free) feeds Plant (allied, separation built at 1000 USD/tpa, lead 0, lifetime 1) or CN (china,
100 tpa existing, opex 500 USD/t); Buyer (allied) needs 10 t of A a year."""

from rechain.run.risk import RiskJob, load_risk

FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,{last}\nmax_restricted_share,0\n",
    "nodes": "node,bloc\nMine,allied\nPlant,allied\nCN,china\nBuyer,allied\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,0,0,1\nPlant,separation,0,1000,0,0,1\nCN,separation,100,,500,0,1\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\n{demand}",
}


def world(tmp_path, uncertainty: str, last: int = 2025):
    folder = tmp_path / "world"
    folder.mkdir(exist_ok=True)
    demand = "".join(f"Buyer,A,{y},10\n" for y in range(2025, last + 1))
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text.format(last=last, demand=demand))
    (folder / "uncertainty.csv").write_text("target,distribution,p1,p2,p3,shared\n" + uncertainty)
    return folder


def job_of(folder, mode="replan", seed=1, recourse_year=None):
    wb, rows, _ = load_risk(folder, None, ())
    return RiskJob(wb, None, (), rows, seed, mode, recourse_year)
