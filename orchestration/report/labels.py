"""Every word the report shows, in Japanese and English.

Step names and labels are read from the seed `funnel_steps.csv`, benchmark names follow
`kpi_benchmarks.csv`, so a person sees the same names in the report, in dbt docs and in
BI. Keys are the column and value names of the published marts.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping

from orchestration import config

LANGUAGES = ("ja", "en")

# The funnel steps as the seed lists them (the one list: SQL, tests and docs read it too).
with (config.SEEDS_DIR / "funnel_steps.csv").open(encoding="utf-8", newline="") as _seed:
    _FUNNEL_SEED = sorted(csv.DictReader(_seed), key=lambda row: int(row["step_number"]))

# (count column of kpi_funnel_overview, funnel step, department) in funnel order.
FUNNEL_STEPS: tuple[tuple[str, str, str], ...] = tuple(
    (row["count_column"], row["funnel_step"], row["department"]) for row in _FUNNEL_SEED
)
DEPARTMENTS = ("marketing", "inside_sales", "field_sales")

_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "title": "fukan KPI 俯瞰レポート",
        "subtitle": "マーケティング → インサイドセールス → フィールドセールス：全ファネルをリードの質で分けて見る",
        "other_language": "English",
        "as_of": "データ基準日",
        "built_at": "公開ビルド日時",
        "generated_at": "レポート作成日時",
        "definitions": "定義バージョン",
        "overview": "全体ファネル（KPIツリー）",
        "overview_basis": "コホート基準：{period}（{start}〜{end}）に作成されたリードが基準日までにどこまで進んだか",
        "overview_partial": "完了した会計年度がまだないため、進行中の会計年度を表示しています（数値は途中経過）。",
        "fiscal_year": "{year}年度",
        "fiscal_half": "{year}年度 {half}",
        "half_1": "上期",
        "half_2": "下期",
        "fiscal_quarter": "{year}年度 {quarter}Q",
        "month": "{year}年{month}月",
        "week_of": "{date}の週",
        "month_axis": "%Y年%-m月",
        "quality": "質リード",
        "general": "一般リード",
        "conversion": "前ステップからの転換率",
        "quality_rate": "質リード率",
        "won_amount": "受注金額（円）",
        "lead_to_won": "リード→受注 転換率",
        "trends": "月次トレンド",
        "chart_leads": "作成月別リード数（質リード／一般リード）と質リード率",
        "chart_steps": "月別ステップ到達件数（アクティビティ基準）",
        "chart_conversion": "作成月別 リード→受注 転換率（コホート基準、直近の月は成熟途中）",
        "chart_funnel": "ファネル：質リードと一般リード",
        "chart_pacing": "部門別 目標達成率と着地見込",
        "week": "週",
        "leads_axis": "リード数",
        "count_axis": "件数",
        "pacing": "部門別 目標ペース",
        "targets_today": "今日と今週の目標（チーム別）",
        "targets_today_note": (
            "{date}時点で進行中の部門・チーム目標。今日・今週の目標＝期間目標を営業日（会社休日を除く）で按分したもの。"
            "差異＝実績累計−目標累計（マイナスは遅れ）。必要ペース＝期間目標に届くために、今日を含む残り営業日に"
            "1日あたり必要な実績（振り返り・リカバリー）。"
        ),
        "whole_department": "部門全体",
        "target_derived_from_months": "月目標の合計",
        "target_derived_from_quarters": "四半期目標の合計",
        "day_target": "今日の目標",
        "week_target": "今週の目標",
        "week_actual_to_date": "今週の実績",
        "gap_to_date": "差異",
        "required_daily_pace": "必要ペース／日",
        "pacing_note": (
            "部門目標ごとに、{date}時点で進行中の期間とその前の期間（確定値）。"
            "達成率＝実績累計÷目標累計（営業日按分）。着地見込は、受注数・受注金額では受注済みに"
            "期間内にクローズ予定の案件を確度で加重して加えたもの、その他のKPIでは現在のペースで期末まで進んだ場合の実績。"
            "期間の営業日の{share}が経過するまで着地見込は出しません。"
        ),
        "no_projection_yet": "{share}経過前（{elapsed}/{total}営業日）",
        "no_projection_closed": "確定",
        "period_running": "進行中",
        "period_closed": "確定",
        "department": "部門",
        "kpi": "KPI",
        "period": "期間",
        "target": "期間目標",
        "target_to_date": "目標累計",
        "actual_to_date": "実績累計",
        "attainment": "達成率",
        "projected_value": "着地見込",
        "projected_attainment": "着地見込達成率",
        "no_data": "データなし",
        "benchmarks": "インサイドセールス ベンチマーク",
        "benchmarks_note": "{month}のチーム別実績とベンチマーク帯の比較。",
        "band": "基準帯",
        "status_below": "下回る",
        "status_within": "範囲内",
        "status_above": "上回る",
        "status_immature": "判定保留",
        "immature_with_reason": "判定保留（{reason}）",
        "immature_period_not_complete": "期間途中",
        "immature_window_open": "判定期間が未経過",
        "immature_denominator_below_minimum": "母数が{minimum}件未満",
        "judgement": "判定",
        "family_immature": "{family}：{judgement}",
        "list_separator": "／",
        "family_lead_conversion": "新規リードの接続率・商談獲得率",
        "family_handoff_follow": "フォロー率",
        "family_handoff_pipeline": "提案率",
        "neglect": "インサイドセールス 放置リード",
        "neglect_note": (
            "{month}末時点でチームの担当者が持つオープンリード（未トスアップ・未失注）と、"
            "そのうち{days}日を超えて個別接触（接続したコール、1対1のメール、実施した商談）がない放置リード。"
            "個別接触数は{month}の合計。"
        ),
        "team": "チーム",
        "open_leads": "オープンリード数",
        "neglected_leads": "放置リード数",
        "neglected_lead_share": "放置リード率",
        "personal_touches": "個別接触数",
        "touches_per_open_lead": "オープンリードあたり個別接触数",
        "inside_sales_roles": "インサイドセールス ロール別KPI",
        "inside_sales_roles_note": (
            "{month}のチーム別・ロール別：ナーチャリング（新規リードの育成）、リサイクル（{days}日以上前に対象外となった"
            "リードや失注した案件の掘り起こし）、アップセル・クロスセル（既存顧客）、アウトバウンド（ターゲット企業への"
            "アプローチ）。架電・接続コール・商談獲得・案件は記録した日、受注と受注金額はクローズ日で数えます。"
            "各セルの下段は質リード／一般リードの内訳（リードのない架電はどちらにも入りません）。"
        ),
        "sales_role": "ロール",
        "calls": "架電数",
        "connected_calls": "接続コール数",
        "contact_rate": "接続率",
        "appointments": "商談獲得数",
        "appointment_rate": "商談獲得率",
        "opportunities": "案件数",
        "opportunities_per_appointment": "商談獲得あたり案件化率",
        "won": "受注数",
        "won_per_opportunity": "案件あたり受注率",
        "speed_to_lead": "インサイドセールス 初動の速さ",
        "speed_to_lead_note": (
            "{month}に作成されたリード（コホート）のチーム別・担当者別：作成から最初のアプローチ（架電または1対1のメール）"
            "と最初の接続までの営業時間（営業日の{start}〜{end}）の分数の中央値と、{sla}分以内に最初のアプローチをした"
            "リードの割合（SLA達成率。未アプローチは未達）。担当者は最初にアプローチした人です。"
        ),
        "speed_to_lead_buckets": "初動の速さ別 商談獲得率・案件化率",
        "chart_speed_to_lead": "初動の速さ別 リード商談獲得率（質リード／一般リード）",
        "speed_to_lead_buckets_note": (
            "初動の速さ別に、リードのうち基準日までに商談獲得・案件化に至った割合（質リード／一般リード）。"
        ),
        "team_total": "チーム計",
        "attempted_leads": "アプローチ済みリード数",
        "leads_attempted_within_sla": "SLA内アプローチ数",
        "within_sla_share": "SLA達成率",
        "within_sla_share_quality": "SLA達成率（質リード）",
        "within_sla_share_general": "SLA達成率（一般リード）",
        "median_business_minutes_to_first_attempt": "初回アプローチまでの分数（営業時間・中央値）",
        "connected_leads": "接続済みリード数",
        "median_business_minutes_to_first_connect": "初回接続までの分数（営業時間・中央値）",
        "response_bucket": "初動",
        "leads_with_appointment": "商談獲得リード数",
        "lead_to_appointment_rate": "リード商談獲得率",
        "leads_with_opportunity": "案件化リード数",
        "lead_to_opportunity_rate": "案件化率",
        "follow_up": "フィールドセールス フォロー率",
        "follow_up_note": (
            "{month}のフィールドセールス担当者別：トスアップ（{days}営業日のフォロー期限を過ぎたもの）のうち、"
            "期限内にコール・メール・商談でフォローされたもの（フォロー率）と、初回フォローまでの営業日数。"
        ),
        "rep": "担当者",
        "handoffs": "トスアップ数",
        "followed_handoffs": "フォロー済みトスアップ数",
        "follow_rate": "フォロー率",
        "follow_rate_quality": "フォロー率（質リード）",
        "follow_rate_general": "フォロー率（一般リード）",
        "median_business_days_to_follow_up": "初回フォローまでの営業日数（中央値）",
        "health": "ファネル健全性アラート",
        "health_recent": "直近{weeks}週",
        "health_latest_warnings": "警告が出た直近の週（全期間から最大{weeks}週）",
        "no_warnings": "警告の出た週はありません。",
        "health_note": "週ごとの部門間の警告サイン。数値は判定の根拠（直近ウィンドウ対ベースライン）。",
        "warning_a": "(a) リード数増・質リード率低下",
        "warning_b": "(b) 前工程の量増・次工程の転換率低下",
        "warning_c": "(c) トスアップ増・フォロー率／提案率低下",
        "flag_on": "警告",
        "flag_off": "—",
        "leads": "リード数",
        "lead_volume_change": "リード数変化（対ベースライン）",
        "quality_lead_rate_recent": "質リード率（直近）",
        "quality_lead_rate_baseline": "質リード率（ベースライン）",
        "lead_contact_rate_recent": "新規リードの接続率（直近）",
        "lead_appointment_rate_recent": "新規リードの商談獲得率（直近）",
        "handed_off": "トスアップ数",
        "handoff_volume_change": "トスアップ数変化",
        "handoff_follow_rate_recent": "フォロー率（直近）",
        "handoff_follow_rate_baseline": "フォロー率（ベースライン）",
        "opportunity_proposal_rate_recent": "提案率（直近）",
        "incomplete_week": "（週途中）",
        "footer": "このページは公開済みコピー（published/）だけを読み、公開のたびに再生成されます。",
        "dbt_docs": "KPI定義とリネージ（dbt docs）",
        "pipeline_waterfall": "案件パイプラインの増減（ウォーターフォール）",
        "pipeline_waterfall_note": (
            "全社、直近の確定した四半期と進行中の四半期：期内にクローズ予定のオープン案件（パイプライン）が"
            "期首から期末までに何で動いたか。期首＋新規作成＋再開＋前倒し−後ろ倒し−受注−失注±金額変更＝期末"
            "（進行中の四半期は基準日時点）。各案件の当時の状態は案件履歴から再構成し、ステージと確度は現在の定義で読んでいます。"
        ),
        "pipeline_start": "期首パイプライン",
        "pipeline_created": "新規作成",
        "pipeline_reopened": "再開",
        "pipeline_pulled_in": "前倒し（期内へ）",
        "pipeline_pushed_out": "後ろ倒し（期外へ）",
        "pipeline_won": "受注",
        "pipeline_lost": "失注",
        "pipeline_amount_change": "金額変更",
        "pipeline_end": "期末パイプライン",
        "amount_axis": "金額（百万円）",
        "opportunities_count": "案件数",
        "pipeline_forecast": "着地見込と目標（受注金額）",
        "pipeline_forecast_note": (
            "全社の四半期受注金額と、フィールドセールス部門の受注金額目標。"
            "着地見込＝受注済＋期内にクローズ予定のオープン案件の金額×確度。"
            "コミット着地＝受注済＋コミット（ヨミA）、ベストケース着地＝それにベストケース（ヨミB）を加えたもの。"
            "カバレッジ＝期内クローズ予定のパイプライン÷残目標（目標−受注済）。"
            "期首時点の着地見込は、四半期が終わると受注実績と比べた予測精度を示します。"
        ),
        "chart_forecast": "四半期の着地見込と目標",
        "forecast_point": "時点",
        "forecast_period_start": "期首時点",
        "forecast_as_of": "基準日時点",
        "won_to_date_amount": "受注済",
        "commit_amount": "コミット（ヨミA）",
        "best_case_amount": "ベストケース（ヨミB）",
        "pipeline_amount": "パイプライン（ヨミC）",
        "forecast_amount": "着地見込",
        "commit_forecast_amount": "コミット着地",
        "best_case_forecast_amount": "ベストケース着地",
        "forecast_open_amount": "期内クローズ予定のパイプライン",
        "target_amount": "目標",
        "remaining_target_amount": "残目標",
        "coverage_ratio": "カバレッジ（倍）",
        "actual_won_amount": "受注実績",
        "forecast_accuracy": "予測精度",
    },
    "en": {
        "title": "fukan KPI overview",
        "subtitle": "Marketing → inside sales → field sales: the whole funnel, split by lead quality",
        "other_language": "日本語",
        "as_of": "As of",
        "built_at": "Published build",
        "generated_at": "Report generated",
        "definitions": "Definition versions",
        "overview": "Whole-funnel overview (KPI tree)",
        "overview_basis": (
            "Cohort basis: leads created in {period} ({start} to {end}) and how far they got by the as-of date"
        ),
        "overview_partial": "No fiscal year is complete yet: showing the running fiscal year (figures are partial).",
        "fiscal_year": "FY{year}",
        "fiscal_half": "FY{year} {half}",
        "half_1": "H1",
        "half_2": "H2",
        "fiscal_quarter": "FY{year} Q{quarter}",
        "month": "{month_name} {year}",
        "week_of": "Week of {date}",
        "month_axis": "%b %Y",
        "quality": "Quality leads",
        "general": "General leads",
        "conversion": "Conversion from the previous step",
        "quality_rate": "Quality-lead rate",
        "won_amount": "Won amount (JPY)",
        "lead_to_won": "Lead → won conversion",
        "trends": "Trends by month",
        "chart_leads": "Leads by month created (quality / general) and quality-lead rate",
        "chart_steps": "Funnel step events by month (activity basis)",
        "chart_conversion": "Lead → won conversion by month created (cohort basis; recent months still maturing)",
        "chart_funnel": "Funnel: quality leads and general leads",
        "chart_pacing": "Target attainment and projection by department",
        "week": "Week",
        "leads_axis": "Leads",
        "count_axis": "Count",
        "pacing": "Target pacing by department",
        "targets_today": "Today's and this week's targets by team",
        "targets_today_note": (
            "Department and team targets running on {date}. Today's and this week's target: the period target "
            "spread over its business days (company holidays excluded). Gap = actual to date - target to date "
            "(below 0: behind). Pace needed: what each business day left, today included, must bring to land "
            "the period target."
        ),
        "whole_department": "Whole department",
        "target_derived_from_months": "sum of the month targets",
        "target_derived_from_quarters": "sum of the quarter targets",
        "day_target": "Today's target",
        "week_target": "This week's target",
        "week_actual_to_date": "This week's actual",
        "gap_to_date": "Gap",
        "required_daily_pace": "Pace needed / day",
        "pacing_note": (
            "Each department target: the period running on {date} and the period before it (final). "
            "Attainment = actual to date / target to date (spread over business days). "
            "Projection: for wins and won amount, won to date plus the open opportunities closing in the period "
            "weighted by their probability; for the other KPIs, the period end at the pace so far. "
            "No projection before {share} of the period's business days have passed."
        ),
        "no_projection_yet": "before {share} ({elapsed} of {total} business days)",
        "no_projection_closed": "final",
        "period_running": "running",
        "period_closed": "final",
        "department": "Department",
        "kpi": "KPI",
        "period": "Period",
        "target": "Period target",
        "target_to_date": "Target to date",
        "actual_to_date": "Actual to date",
        "attainment": "Attainment",
        "projected_value": "Projection",
        "projected_attainment": "Projected attainment",
        "no_data": "No data",
        "benchmarks": "Inside-sales benchmarks",
        "benchmarks_note": "Each team's figures for {month} against the benchmark bands.",
        "band": "Band",
        "status_below": "below",
        "status_within": "within",
        "status_above": "above",
        "status_immature": "not yet judged",
        "immature_with_reason": "not yet judged ({reason})",
        "immature_period_not_complete": "period not complete",
        "immature_window_open": "window still open",
        "immature_denominator_below_minimum": "fewer than {minimum} cases",
        "judgement": "Judgement",
        "family_immature": "{family}: {judgement}",
        "list_separator": "; ",
        "family_lead_conversion": "contact and appointment rates of new leads",
        "family_handoff_follow": "follow rate",
        "family_handoff_pipeline": "proposal rate",
        "neglect": "Inside sales: neglected leads",
        "neglect_note": (
            "At the end of {month}: the open leads (not handed off, not disqualified) of each team's reps, and "
            "the neglected ones among them - no personal touch (connected call, one-to-one e-mail, held meeting) "
            "for more than {days} days. Personal touches: the total of {month}."
        ),
        "team": "Team",
        "open_leads": "Open leads",
        "neglected_leads": "Neglected leads",
        "neglected_lead_share": "Neglected-lead share",
        "personal_touches": "Personal touches",
        "touches_per_open_lead": "Personal touches per open lead",
        "inside_sales_roles": "Inside sales: KPIs by role",
        "inside_sales_roles_note": (
            "{month}, per team and role: nurture (new leads), recycle (leads disqualified or deals lost at least "
            "{days} days before, taken up again), upsell / cross-sell (existing customers) and outbound (target "
            "accounts). Calls, connected calls, appointments and opportunities count on the day they were logged, "
            "wins and won amount on the close date. Below each figure: quality leads / general leads (calls about "
            "no lead are in neither)."
        ),
        "sales_role": "Role",
        "calls": "Calls",
        "connected_calls": "Connected calls",
        "contact_rate": "Contact rate",
        "appointments": "Appointments",
        "appointment_rate": "Appointment rate",
        "opportunities": "Opportunities",
        "opportunities_per_appointment": "Opportunities per appointment",
        "won": "Won deals",
        "won_per_opportunity": "Wins per opportunity",
        "speed_to_lead": "Inside sales: speed to lead",
        "speed_to_lead_note": (
            "Leads created in {month} (cohort), per team and rep: the median business minutes (business days, "
            "{start}-{end}) from creation to the first attempt (a call or a one-to-one e-mail) and to the first "
            "connected call, and the share of leads first attempted within {sla} minutes (within SLA; a lead never "
            "attempted counts as missed). The rep is whoever made the first attempt."
        ),
        "speed_to_lead_buckets": "Appointment and opportunity rates by speed of first attempt",
        "chart_speed_to_lead": "Lead → appointment rate by speed of first attempt (quality / general leads)",
        "speed_to_lead_buckets_note": (
            "By how soon the leads were first attempted: the share that booked an appointment or became an "
            "opportunity by the as-of date (quality leads / general leads)."
        ),
        "team_total": "Team total",
        "attempted_leads": "Attempted leads",
        "leads_attempted_within_sla": "Attempted within SLA",
        "within_sla_share": "Within-SLA share",
        "within_sla_share_quality": "Within-SLA share (quality leads)",
        "within_sla_share_general": "Within-SLA share (general leads)",
        "median_business_minutes_to_first_attempt": "Business minutes to first attempt (median)",
        "connected_leads": "Connected leads",
        "median_business_minutes_to_first_connect": "Business minutes to first connect (median)",
        "response_bucket": "First attempt",
        "leads_with_appointment": "Leads with an appointment",
        "lead_to_appointment_rate": "Lead → appointment rate",
        "leads_with_opportunity": "Leads with an opportunity",
        "lead_to_opportunity_rate": "Lead → opportunity rate",
        "follow_up": "Field sales: hand-off follow rate",
        "follow_up_note": (
            "{month}, per field-sales rep: of the hand-offs whose {days} business days to follow up have passed, "
            "those followed up by a call, e-mail or meeting in time (follow rate), and the business days to the "
            "first follow-up."
        ),
        "rep": "Rep",
        "handoffs": "Hand-offs",
        "followed_handoffs": "Followed hand-offs",
        "follow_rate": "Follow rate",
        "follow_rate_quality": "Follow rate (quality leads)",
        "follow_rate_general": "Follow rate (general leads)",
        "median_business_days_to_follow_up": "Business days to first follow-up (median)",
        "health": "Funnel-health flags",
        "health_recent": "The last {weeks} weeks",
        "health_latest_warnings": "The latest weeks with a warning (up to {weeks}, whole history)",
        "no_warnings": "No week raised a warning.",
        "health_note": (
            "Weekly cross-department warning signs, with the figures behind each (recent window against baseline)."
        ),
        "warning_a": "(a) Lead volume up, quality-lead rate down",
        "warning_b": "(b) Volume jump, next department's conversion drop",
        "warning_c": "(c) Hand-offs up, follow / proposal rate down",
        "flag_on": "WARNING",
        "flag_off": "—",
        "leads": "Leads",
        "lead_volume_change": "Lead volume vs baseline",
        "quality_lead_rate_recent": "Quality-lead rate (recent)",
        "quality_lead_rate_baseline": "Quality-lead rate (baseline)",
        "lead_contact_rate_recent": "Contact rate of new leads (recent)",
        "lead_appointment_rate_recent": "Appointment rate of new leads (recent)",
        "handed_off": "Hand-offs",
        "handoff_volume_change": "Hand-offs vs baseline",
        "handoff_follow_rate_recent": "Follow rate (recent)",
        "handoff_follow_rate_baseline": "Follow rate (baseline)",
        "opportunity_proposal_rate_recent": "Opportunity → proposal (recent)",
        "incomplete_week": "(running)",
        "footer": "This page reads only the published copy (published/) and is rebuilt on every publish.",
        "dbt_docs": "KPI definitions and lineage (dbt docs)",
        "pipeline_waterfall": "Pipeline waterfall",
        "pipeline_waterfall_note": (
            "Company-wide, the latest complete fiscal quarter and the running one: what moved the pipeline (open "
            "opportunities closing in the quarter) from its start to its end. Start + created + reopened + pulled in "
            "- pushed out - won - lost +/- amount changes = end (the running quarter: as of the as-of date). Each "
            "opportunity's state then is rebuilt from its history; stages and probabilities are read in today's "
            "definitions."
        ),
        "pipeline_start": "Start of quarter",
        "pipeline_created": "Created",
        "pipeline_reopened": "Reopened",
        "pipeline_pulled_in": "Pulled in",
        "pipeline_pushed_out": "Pushed out",
        "pipeline_won": "Won",
        "pipeline_lost": "Lost",
        "pipeline_amount_change": "Amount changes",
        "pipeline_end": "End of quarter",
        "amount_axis": "Amount (JPY million)",
        "opportunities_count": "Opportunities",
        "pipeline_forecast": "Won-amount forecast against target",
        "pipeline_forecast_note": (
            "Company-wide won amount per fiscal quarter, against field sales' won-amount target. "
            "Forecast = won to date + the open opportunities closing in the quarter x their probability. "
            "Commit forecast = won to date + commit (yomi A); best-case forecast adds best case (yomi B). "
            "Coverage = open pipeline closing in the quarter / remaining target (target - won to date). "
            "Once the quarter is over, the forecast taken at its start is compared with the actual (accuracy)."
        ),
        "chart_forecast": "Quarter forecast against target",
        "forecast_point": "Taken",
        "forecast_period_start": "at quarter start",
        "forecast_as_of": "as of",
        "won_to_date_amount": "Won to date",
        "commit_amount": "Commit (yomi A)",
        "best_case_amount": "Best case (yomi B)",
        "pipeline_amount": "Pipeline (yomi C)",
        "forecast_amount": "Forecast",
        "commit_forecast_amount": "Commit forecast",
        "best_case_forecast_amount": "Best-case forecast",
        "forecast_open_amount": "Open pipeline closing in the quarter",
        "target_amount": "Target",
        "remaining_target_amount": "Remaining target",
        "coverage_ratio": "Coverage (x)",
        "actual_won_amount": "Actual won",
        "forecast_accuracy": "Forecast accuracy",
    },
}

_STEPS = {lang: {row["funnel_step"]: row[f"step_label_{lang}"] for row in _FUNNEL_SEED} for lang in LANGUAGES}

_DEPARTMENTS = {
    "ja": {"marketing": "マーケティング", "inside_sales": "インサイドセールス", "field_sales": "フィールドセールス"},
    "en": {"marketing": "Marketing", "inside_sales": "Inside sales", "field_sales": "Field sales"},
}

# KPI ids of seeds/kpi_targets.csv (pacing).
_TARGET_KPIS = {
    "ja": {
        "leads": "リード数",
        "quality_leads": "質リード数",
        "worked": "アプローチ数",
        "contacted": "接続数",
        "need_confirmed": "ニーズ確認数",
        "appointments": "商談獲得数",
        "handed_off": "トスアップ数",
        "opportunities": "案件数",
        "proposals": "提案数",
        "won": "受注数",
        "won_amount": "受注金額（円）",
        "calls": "架電数",
        "connected_calls": "接続コール数",
        "emails": "メール数",
    },
    "en": {
        "leads": "Leads",
        "quality_leads": "Quality leads",
        "worked": "Worked",
        "contacted": "Contacted",
        "need_confirmed": "Need confirmed",
        "appointments": "Appointments",
        "handed_off": "Hand-offs",
        "opportunities": "Opportunities",
        "proposals": "Proposals",
        "won": "Won deals",
        "won_amount": "Won amount (JPY)",
        "calls": "Calls",
        "connected_calls": "Connected calls",
        "emails": "E-mails",
    },
}


# The inside-sales roles (seed inside_sales_role_rules) and response buckets of the marts.
_SALES_ROLES = {
    "ja": {
        "nurture": "ナーチャリング",
        "recycle": "リサイクル",
        "upsell": "アップセル・クロスセル",
        "outbound": "アウトバウンド",
        "all": "全ロール計",
    },
    "en": {
        "nurture": "Nurture",
        "recycle": "Recycle",
        "upsell": "Upsell / cross-sell",
        "outbound": "Outbound",
        "all": "All roles",
    },
}
_RESPONSE_BUCKETS = {
    "ja": {
        "within_1_hour": "1時間以内",
        "1_to_4_hours": "1〜4時間",
        "same_business_day": "当営業日中",
        "later": "翌営業日以降",
        "never": "未アプローチ",
        "all": "全リード",
    },
    "en": {
        "within_1_hour": "Within 1 hour",
        "1_to_4_hours": "1-4 hours",
        "same_business_day": "Same business day",
        "later": "Later",
        "never": "Never",
        "all": "All leads",
    },
}


# English month names, fixed here rather than taken from the machine's locale.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Labels:
    """The words of one language: `t["title"]`, `t.step("won")`, `t.department("field_sales")`.

    Unknown step, department, KPI, role or bucket ids fall back to the id itself, so a new seed value
    shows up (untranslated) instead of breaking the report.
    """

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"Unknown report language {lang!r}; expected one of {', '.join(LANGUAGES)}.")
        self.lang = lang
        self._text: Mapping[str, str] = _TEXT[lang]

    def __getitem__(self, key: str) -> str:
        return self._text[key]

    def step(self, step: str) -> str:
        return _STEPS[self.lang].get(step, step)

    def department(self, department: str) -> str:
        return _DEPARTMENTS[self.lang].get(department, department)

    def target_kpi(self, kpi: str) -> str:
        return _TARGET_KPIS[self.lang].get(kpi, kpi)

    def target_source(self, source: str) -> str:
        """How a target the seed does not give was derived (kpi_target_daily.target_source)."""
        return self._text.get(f"target_{source}", source)

    def sales_role(self, role: str) -> str:
        return _SALES_ROLES[self.lang].get(role, role)

    def response_bucket(self, bucket: str) -> str:
        return _RESPONSE_BUCKETS[self.lang].get(bucket, bucket)

    def month_name(self, month: int) -> str:
        """The month's name where the language's month pattern uses one (English)."""
        return _MONTH_NAMES[month - 1]

    def not_judged(self, reason: str, minimum: int) -> str:
        """判定保留（母数が20件未満）: a figure not judged yet, with why (the marts'
        immature_reason codes; `minimum` is var min_denominator)."""
        key = f"immature_{reason}"
        why = self._text[key].format(minimum=minimum) if key in self._text else reason
        return self._text["immature_with_reason"].format(reason=why)
