"""The certificate as a PDF (reportlab, with its built-in Chinese CID font: nothing to download)."""

from __future__ import annotations

import io

from gaoqi.web.certification.models import Certificate


def certificate_pdf(cert: Certificate) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setTitle(f"高新技术企业证书 {cert.number}")
    c.setLineWidth(3)
    c.rect(30, 30, width - 60, height - 60)
    c.setFont("STSong-Light", 36)
    c.drawCentredString(width / 2, height - 120, "高新技术企业证书")
    c.setFont("STSong-Light", 18)
    lines = [
        f"企业名称：{cert.enterprise_name}",
        f"统一社会信用代码：{cert.uscc}",
        f"技术领域：{cert.tech_field}",
        f"证书编号：{cert.number}",
        f"发证时间：{cert.issue_date:%Y年%m月%d日}",
        f"有效期：三年（至 {cert.expiry_date:%Y年%m月%d日}）",
    ]
    y = height - 200
    for line in lines:
        c.drawString(120, y, line)
        y -= 40
    if cert.status != Certificate.VALID:  # a revoked or replaced certificate must not pass for a valid one
        c.setFillColorRGB(0.75, 0.1, 0.1)
        c.setFont("STSong-Light", 48)
        c.drawCentredString(
            width / 2,
            height / 2 - 40,
            {"revoked": "已撤销", "replaced": "已换发", "cancelled": "已取消"}.get(cert.status, "已失效"),
        )
        c.setFillColorRGB(0, 0, 0)
    c.setFont("STSong-Light", 14)
    c.drawRightString(
        width - 100, 90, "北京市科学技术委员会、中关村科技园区管理委员会　北京市财政局　国家税务总局北京市税务局"
    )
    c.showPage()
    c.save()
    return buf.getvalue()
