"""nianbao: author, check and publish 政府信息公开工作年度报告."""
