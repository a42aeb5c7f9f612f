"""Claims (赔案), their assignments to partners and their risk colour (红黄蓝)."""
