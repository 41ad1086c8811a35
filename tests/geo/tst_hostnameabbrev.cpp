// Codes no operator table lists, read as abbreviations of places (geo/hostnamehintsabbrev.h):
// the codes are those of real router names (tests/data/router-names*.tsv), each reading with
// its own rows, and the limits that keep false positives down (only the label an operator rule
// names, never role words, within the operator's scope, below a table code's confidence).

#include "hostnamehints.h"
#include "hostnamehintsabbrev.h"
#include "hostnametokens.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class TestHostnameAbbrev : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const PlaceDictionary> m_places;
    QTemporaryDir m_dir;
    std::unique_ptr<HostnameHintProvider> m_sparse;  // real rules, a few Arelion codes only
    std::unique_ptr<HostnameHintProvider> m_full;    // the compiled-in rules and tables
    std::unique_ptr<HostnameHintProvider> m_generic; // no rules: the generic reading alone

    QString writeFile(const QString &name, const QByteArray &text)
    {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(text);
        return file.fileName();
    }

    // The columns of the rows a hint is checked on: the name, the city it must be placed in (empty:
    // no hint) and the provider detail naming the reading.
    static void hintColumns()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("detail");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_places = PlaceDictionary::loadBuiltin();
        // Arelion's table cut to four codes: its scope is then US, DE, GB and SE, and every
        // other code of its names has to be read as an abbreviation.
        const QString codes = writeFile("codes.tsv", "arelion\tash\tAshburn\tVA\tUS\n"
                                                     "arelion\tffm\tFrankfurt am Main\t\tDE\n"
                                                     "arelion\tldn\tLondon\t\tGB\n"
                                                     "arelion\tsto\tStockholm\t\tSE\n");
        const auto rules = OperatorRules::load(":/geo/operator-rules.tsv", codes);
        QVERIFY2(rules->loadErrors().isEmpty(), qPrintable(rules->loadErrors().join('\n')));
        m_sparse = std::make_unique<HostnameHintProvider>(m_places, rules);
        m_full = std::make_unique<HostnameHintProvider>(m_places);
        m_generic = std::make_unique<HostnameHintProvider>(m_places, nullptr);
    }

    void readAbbreviation_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QStringList>("countries");
        QTest::addColumn<QString>("city"); // empty: no reading
        QTest::addColumn<QString>("countryCode");
        QTest::addColumn<bool>("prefix");

        const QStringList arelion{"US", "DE", "GB", "SE"};
        // (1) The code begins the name: Arelion's nash, rest, slou, salt, palo, chi, den.
        QTest::newRow("prefix nash") << "nash" << arelion << "Nashville"
                                     << "US" << true;
        QTest::newRow("prefix rest") << "rest" << arelion << "Reston"
                                     << "US" << true;
        QTest::newRow("prefix slou") << "slou" << arelion << "Slough"
                                     << "GB" << true;
        QTest::newRow("prefix salt") << "salt" << arelion << "Salt Lake City"
                                     << "US" << true;
        QTest::newRow("prefix palo") << "palo" << arelion << "Palo Alto"
                                     << "US" << true;
        QTest::newRow("prefix chi") << "chi" << arelion << "Chicago"
                                    << "US" << true;
        QTest::newRow("prefix den") << "den" << arelion << "Denver"
                                    << "US" << true;
        QTest::newRow("prefix bir, NTL's scope") << "bir" << QStringList{"GB"} << "Birmingham"
                                                 << "GB" << true;
        // (1') A far bigger place holding the letters in order beats a small prefix match.
        QTest::newRow("metropolis nyk") << "nyk" << arelion << "New York City"
                                        << "US" << false;
        // (2) City letters + a state label, even without a scope (US and Canadian states).
        QTest::newRow("city+state satx") << "satx" << QStringList{} << "San Antonio"
                                         << "US" << true;
        QTest::newRow("city+state satx in scope") << "satx" << QStringList{"US"} << "San Antonio"
                                                  << "US" << true;
        // (3) The letters in order: Arelion's kanc.
        QTest::newRow("in order kanc") << "kanc" << arelion << "Kansas City"
                                       << "US" << false;
        // Scope decides: Arelion's nash outside its footprint would be Nashik.
        QTest::newRow("scope matters nash") << "nash" << QStringList{"IN"} << "Nashik"
                                            << "IN" << true;
        // No reading: three letters that begin no name in scope, too short, not letters, nonsense.
        QTest::newRow("none mno") << "mno" << arelion << ""
                                  << "" << false;
        // Three letters in order name only a city of a million unless the name states the country.
        QTest::newRow("none hki, country not stated") << "hki" << QStringList{"FI"} << ""
                                                      << "" << false;
        QTest::newRow("none two letters") << "pd" << QStringList{"IT"} << ""
                                          << "" << false;
        QTest::newRow("none digits") << "x1y" << arelion << ""
                                     << "" << false;
        QTest::newRow("none qqqq") << "qqqq" << arelion << ""
                                   << "" << false;
    }

    void readAbbreviation()
    {
        QFETCH(QString, code);
        QFETCH(QStringList, countries);
        QFETCH(QString, city);
        QFETCH(QString, countryCode);
        QFETCH(bool, prefix);
        const auto reading = tracemap::readAbbreviation(m_places->gazetteer(), code, countries, {});
        if (city.isEmpty()) {
            QVERIFY2(!reading, reading ? qPrintable(m_places->gazetteer().place(reading->row).name) : "");
            return;
        }
        QVERIFY(reading.has_value());
        const GazetteerPlace place = m_places->gazetteer().place(reading->row);
        QCOMPARE(place.name, city);
        QCOMPARE(place.countryCode, countryCode);
        QCOMPARE(reading->prefix, prefix);
    }

    void isAbbreviationOf_data()
    {
        QTest::addColumn<QString>("letters");
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("expected");
        QTest::newRow("frnk in frankfurt") << "frnk"
                                           << "frankfurtammain" << true;
        QTest::newRow("kanc in kansascity") << "kanc"
                                            << "kansascity" << true;
        QTest::newRow("first letter must match") << "rnk"
                                                 << "frankfurt" << false;
        QTest::newRow("order matters") << "ftk"
                                       << "frankfurt" << false;
        QTest::newRow("letters used once") << "fff"
                                           << "frankfurt" << false;
    }

    void isAbbreviationOf()
    {
        QFETCH(QString, letters);
        QFETCH(QString, key);
        QFETCH(bool, expected);
        QCOMPARE(tracemap::isAbbreviationOf(letters.toLatin1(), key.toLatin1()), expected);
    }

    // Real Arelion names whose codes the cut table lacks: read through the rule, named as an
    // abbreviation, and less sure than a table code.
    void unknownCodesOfRealNames_data()
    {
        hintColumns();
        QTest::newRow("nash") << "nash-bb1-link.ip.twelve99.net"
                              << "Nashville"
                              << "twelve99.net/abbrev:nash";
        QTest::newRow("rest") << "rest-bb1-link.ip.twelve99.net"
                              << "Reston"
                              << "twelve99.net/abbrev:rest";
        QTest::newRow("slou") << "slou-b2-link.ip.twelve99.net"
                              << "Slough"
                              << "twelve99.net/abbrev:slou";
        QTest::newRow("kanc") << "kanc-bb2-link.ip.twelve99.net"
                              << "Kansas City"
                              << "twelve99.net/abbrev:kanc";
        // ("nyk" is a carriers' metro code, read as one since set 6; readAbbreviation's
        // "metropolis nyk" row keeps its abbreviation reading tested.)
        QTest::newRow("palo, customer link") << "cogent-ic-344188-palo-b22.c.telia.net"
                                             << "Palo Alto"
                                             << "telia.net/abbrev:palo";
        QTest::newRow("bir, NTL's GB scope") << "bir-bb-a-so-700-0.inet.ntl.com"
                                             << "Birmingham"
                                             << "ntl.com/abbrev:bir";
    }

    void unknownCodesOfRealNames()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, city);
        QFETCH(QString, detail);
        const GeoAnswer answer = m_sparse->hintFor(hostname);
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.providerDetail, detail);
        QVERIFY2(answer.reason.contains("abbreviated place name"), qPrintable(answer.reason));
        QVERIFY2(answer.confidence >= 0.5 && answer.confidence < 0.85,
                 qPrintable(QString::number(answer.confidence)));
    }

    // A table code stays surer than any abbreviation of it.
    void tableCodeBeatsAbbreviation()
    {
        const GeoAnswer table = m_full->hintFor("nash-bb1-link.ip.twelve99.net");
        const GeoAnswer abbrev = m_sparse->hintFor("nash-bb1-link.ip.twelve99.net");
        QCOMPARE(table.providerDetail, QString("twelve99.net/operator:nash"));
        QCOMPARE(table.place.city, abbrev.place.city);
        QVERIFY(table.confidence > abbrev.confidence);
    }

    // Only the label an operator rule names is read this way, never another token, never a
    // role or interface word, and only within the rule's scope column.
    void onlyTheRulesLabel_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<QString>("city"); // empty: no hint
        QTest::newRow("the rule's label") << "nash-7.example.net"
                                          << "Nashville";
        QTest::newRow("city+state in the rule's label") << "satx-2.example.net"
                                                        << "San Antonio";
        QTest::newRow("a role word in the rule's label") << "core-1.example.net"
                                                         << "";
        QTest::newRow("outside the rule's label") << "xe-1.nash.edge-7.example.net"
                                                  << "";
        QTest::newRow("no rule for the domain") << "nash-7.example.org"
                                                << "";
    }

    void onlyTheRulesLabel()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, city);
        const QString rulesFile = writeFile(
            "rules.tsv", "example.net\ttable\tex\t^(?<code>[a-z]+)-\\d+\\.example\\.net$\tExample\tUS\n");
        const QString codesFile = writeFile("excodes.tsv", "");
        const auto rules = OperatorRules::load(rulesFile, codesFile);
        QVERIFY2(rules->loadErrors().isEmpty(), qPrintable(rules->loadErrors().join('\n')));
        QCOMPARE(rules->rules().first().scope, QStringList{"US"});
        const HostnameHintProvider hints(m_places, rules);
        const GeoAnswer answer = hints.hintFor(hostname);
        if (city.isEmpty()) {
            QVERIFY2(answer.status != GeoStatus::Located, qPrintable(answer.place.city));
        } else {
            QCOMPARE(answer.status, GeoStatus::Located);
            QCOMPARE(answer.place.city, city);
            QCOMPARE(answer.place.countryCode, QString("US"));
        }
    }

    // The generic reading's structure, on real names of operators without a rule (held-out set
    // 2, after its first run): a label right before a closing state label is an abbreviation
    // of a place in that state; interface numbering is not an address; a ccTLD and a site
    // number confirm a small town; role words are not airports.
    void genericStructure_data()
    {
        hintColumns();
        QTest::newRow("abbreviation before a state label") << "be801.lsr01.adel.sa.vocus.network"
                                                           << "Adelaide"
                                                           << "abbrev:adel.sa";
        QTest::newRow("small town, ccTLD and site number") << "csw1-te-1-3.venlo1.lb.home.nl"
                                                           << "Venlo"
                                                           << "city:venlo";
        QTest::newRow("address label stays unread") << "cpe-181-47-254-17.telecentro-reversos.com.ar"
                                                    << ""
                                                    << "";
        QTest::newRow("role word xcr is no airport, the rule's code is") << "linode-gw-xcr1.sje.cw.net"
                                                                         << "San Jose"
                                                                         << "cw.net/operator:sje";
        QTest::newRow("dutch asd, not Andros Town") << "ae3-1664.asd002a-jnx-01.surf.net"
                                                    << "Amsterdam"
                                                    << "metro:asd";
        QTest::newRow("role word bdr is no airport") << "et-0-1-0.bdr1.msct.nsw.aarnet.net.au"
                                                     << ""
                                                     << "";
    }

    void genericStructure()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, city);
        QFETCH(QString, detail);
        const GeoAnswer answer = m_full->hintFor(hostname);
        if (city.isEmpty()) {
            QVERIFY2(answer.status != GeoStatus::Located,
                     qPrintable(answer.place.city + " " + answer.providerDetail));
            return;
        }
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.providerDetail, detail);
    }

    // The rules written after held-out set 2's first run read conventions, not code tables: each
    // on its real names (held-out set 2, no longer held out).
    void rulesWithoutTables_data()
    {
        hintColumns();
        // After held-out set 3's first run (no longer held out there): a table-less 3-letter code
        // that is a large airport's is that airport before any abbreviation; a code beginning a
        // city of a million is read outside the table's countries; a country label lets three
        // letters name a capital; Arelion's customer links at a named site; NTT's "ra" names.
        QTest::newRow("large airport before abbreviation") << "lax-b23-link.ip.twelve99.net"
                                                           << "Los Angeles"
                                                           << "twelve99.net/iata:lax";
        QTest::newRow("world city outside the table's countries") << "prag-b4-link.ip.twelve99.net"
                                                                  << "Prague"
                                                                  << "twelve99.net/abbrev:prag";
        QTest::newRow("stated country, three letters") << "et002-3.RT.EQ6.HKI.FI.retn.net"
                                                       << "Helsinki"
                                                       << "retn.net/abbrev:hki";
        QTest::newRow("customer link at a named site") << "cloudflare-ic328260-dls-b23.ip.twelve99-cust.net"
                                                       << "Dallas"
                                                       << "twelve99-cust.net/operator:dls";
        QTest::newRow("ntt ra form") << "po-2.a05.newthk01.hk.ra.gin.ntt.net"
                                     << "Hong Kong"
                                     << "ntt.net/operator:newthk";
        QTest::newRow("rostelecom abroad frkt") << "xe-2-1-0.frkt-ar2.intl.ip.rostelecom.ru"
                                                << "Frankfurt am Main"
                                                << "rostelecom.ru/abbrev:frkt";
        QTest::newRow("rostelecom kazn") << "ae-2.750.kazn-rgr1.pv.ip.rostelecom.ru"
                                         << "Kazan"
                                         << "rostelecom.ru/abbrev:kazn";
        QTest::newRow("rostelecom nvsk") << "ae4.nvsk-ar1.sib.ip.rostelecom.ru"
                                         << "Novosibirsk"
                                         << "rostelecom.ru/abbrev:nvsk";
        QTest::newRow("rostelecom spbr") << "spbr-bras31.sz.ip.rostelecom.ru"
                                         << "Saint Petersburg"
                                         << "rostelecom.ru/abbrev:spbr";
        QTest::newRow("iij osk") << "osk004bb00.IIJ.Net"
                                 << "Osaka"
                                 << "iij.net/abbrev:osk";
        QTest::newRow("iij ngy") << "ngy003bb00.IIJ.Net"
                                 << "Nagoya"
                                 << "iij.net/abbrev:ngy";
        QTest::newRow("embratel spo") << "ebt-B4101-core01.spomb.embratel.net.br"
                                      << "São Paulo"
                                      << "embratel.net.br/abbrev:spo";
        QTest::newRow("embratel rjo") << "peer-b61-agg03.rjo.embratel.net.br"
                                      << "Rio de Janeiro"
                                      << "embratel.net.br/abbrev:rjo";
        QTest::newRow("embratel atl") << "ebt-B11551-intl01.atl.embratel.net.br"
                                      << "Atlanta"
                                      << "embratel.net.br/iata:atl";
        QTest::newRow("telefonica bue") << "So7-0-0-0-grtbuecu1.red.telefonica-wholesale.net"
                                        << "Buenos Aires"
                                        << "telefonica-wholesale.net/abbrev:bue";
        QTest::newRow("telefonica mad") << "AE3-GRCMADJV1.red.telefonica-wholesale.net"
                                        << "Madrid"
                                        << "telefonica-wholesale.net/iata:mad";
        QTest::newRow("tenet pta") << "te0-12-0-2-pta1-p1-n.tenet.ac.za"
                                   << "Pretoria"
                                   << "tenet.ac.za/abbrev:pta";
        QTest::newRow("tenet dur") << "xe0-0-2-700-dur1-pe2-n.tenet.ac.za"
                                   << "Durban"
                                   << "tenet.ac.za/iata:dur";
        QTest::newRow("sprint hou") << "sl-crs1-hou-0-8-2-0.sprintlink.net"
                                    << "Houston"
                                    << "sprintlink.net/iata:hou";
        QTest::newRow("state label, not a country") << "be-200.bdr01.adl02.sa.vocus.net.au"
                                                    << "Adelaide"
                                                    << "iata:adl";
    }

    void rulesWithoutTables() { genericStructure(); }

    // After held-out set 4's first run (no longer held out there): codes its names showed the
    // tables lacked (Arelion's one-letter "s", Telstra's site codes, Microsoft's "sge"), and rules
    // for HiNet, AT&T (city letters + state), OVHcloud's pseudo-domains and Cogent's customer
    // links; each on its real names (sets 2-4).
    void afterSet4_data()
    {
        hintColumns();
        QTest::newRow("arelion one letter s") << "s-bb1-link.ip.twelve99.net"
                                              << "Stockholm"
                                              << "twelve99.net/operator:s";
        QTest::newRow("arelion oso") << "oso-b1-link.ip.twelve99.net"
                                     << "Oslo"
                                     << "twelve99.net/operator:oso";
        QTest::newRow("init7 glb") << "r1glb3.core.init7.net"
                                   << "Glattbrugg"
                                   << "init7.net/operator:glb";
        QTest::newRow("telstra tpei, not Tempe Junction") << "i-92.tpei02.telstraglobal.net"
                                                          << "Taipei"
                                                          << "telstraglobal.net/operator:tpei";
        QTest::newRow("telstra sgpl") << "i-93.sgpl-core02.telstraglobal.net"
                                      << "Singapore"
                                      << "telstraglobal.net/operator:sgpl";
        QTest::newRow("telstra sgcn") << "i-15150.sgcn-core01.telstraglobal.net"
                                      << "Singapore"
                                      << "telstraglobal.net/operator:sgcn";
        QTest::newRow("telstra paix") << "i-0-0-0-1.paix-core02.telstraglobal.net"
                                      << "Palo Alto"
                                      << "telstraglobal.net/operator:paix";
        QTest::newRow("microsoft sge, not Siegerland") << "ae18-0.sge-96cbe-1a.ntwk.msn.net"
                                                       << "Singapore"
                                                       << "msn.net/operator:sge";
        QTest::newRow("linode port at equinix sv") << "eqix-sv1.linode.com"
                                                   << "San Jose"
                                                   << "linode.com/operator:sv";
        QTest::newRow("hinet us pa") << "pa-r32.us.hinet.net"
                                     << "Palo Alto"
                                     << "hinet.net/operator:pa";
        QTest::newRow("hinet tp") << "r4001-s2.tp.hinet.net"
                                  << "Taipei"
                                  << "hinet.net/operator:tp";
        QTest::newRow("att city letters + state") << "cr2.ptdor.ip.att.net"
                                                  << "Portland"
                                                  << "ip.att.net/abbrev:ptd";
        QTest::newRow("att omhne") << "gar1.omhne.ip.att.net"
                                   << "Omaha"
                                   << "ip.att.net/abbrev:omh";
        QTest::newRow("ovh sbg in fr.eu") << "sbg-d1-a75.fr.eu"
                                          << "Strasbourg"
                                          << "eu/operator:sbg";
        QTest::newRow("ovh rbx in fr.eu") << "be103.rbx-g4-nc5.fr.eu"
                                          << "Roubaix"
                                          << "eu/operator:rbx";
        QTest::newRow("ovh bhs in qc.ca") << "be100-1320.bhs-g1-nc5.qc.ca"
                                          << "Beauharnois"
                                          << "ca/operator:bhs";
        QTest::newRow("ovh nwk in nj.us") << "be100-1298.nwk-5-a9.nj.us"
                                          << "Newark"
                                          << "us/operator:nwk";
        QTest::newRow("ovh pao in ca.us") << "be100-104.pao-sv8-bb1-a9.ca.us"
                                          << "Palo Alto"
                                          << "us/iata:pao";
        QTest::newRow("cogent customer link names a customer's town")
            << "university-of-illinios-urbana.demarc.cogentco.com"
            << ""
            << "";
    }

    void afterSet4() { genericStructure(); }

    // After held-out set 5's first run (no longer held out there): operators' codes that are
    // another airport's IATA code (PCCW's "tap", Sparkle's "buc" and "new", UUNET's "scl") or no
    // abbreviation of their city (AT&T's "cgc", "sff", "wsw", "n54"), Sprint's and Qwest's codes,
    // Arelion's older customer links, and rules for BT's core (exchange buildings) and Free;
    // each on its real names (sets 2, 4 and 5).
    void afterSet5_data()
    {
        hintColumns();
        QTest::newRow("pccw tap, not Tapachula") << "Bundle-Ether45.br02.tap04.pccwbtn.net"
                                                 << "Taipei"
                                                 << "pccwbtn.net/operator:tap";
        QTest::newRow("sparkle buc, not Burketown") << "ae6.bucarest1.buc.seabone.net"
                                                    << "Bucharest"
                                                    << "seabone.net/operator:buc";
        QTest::newRow("sparkle new, not New Orleans") << "new3-new50-racc1.new.seabone.net"
                                                      << "New York City"
                                                      << "seabone.net/operator:new";
        QTest::newRow("uunet scl, not Santiago") << "Loopback0.GW1.SCL1.Alter.Net"
                                                 << "Santa Clara"
                                                 << "alter.net/operator:scl";
        QTest::newRow("arelion mei, not Meidling") << "mei-b1-link.telia.net"
                                                   << "Marseille"
                                                   << "telia.net/operator:mei";
        QTest::newRow("arelion tky") << "tky-b1-link.ip.twelve99.net"
                                     << "Tokyo"
                                     << "twelve99.net/operator:tky";
        QTest::newRow("arelion customer link without .c.") << "chinaunicom-ic-151188-las-bb1.telia.net"
                                                           << "Los Angeles"
                                                           << "telia.net/operator:las";
        QTest::newRow("sprint spr, not Spring Valley") << "sl-gw4-spr-0-3.sprintlink.net"
                                                       << "Springfield"
                                                       << "sprintlink.net/operator:spr";
        QTest::newRow("sprint dc") << "sl-bb21-dc-5-0-0.sprintlink.net"
                                   << "Washington, D.C."
                                   << "sprintlink.net/operator:dc";
        QTest::newRow("sprint site first, 1990s") << "sl-stk-6-H3/0-T3.sprintlink.net"
                                                  << "Stockton"
                                                  << "sprintlink.net/operator:stk";
        QTest::newRow("att code with a digit") << "cr2.n54ny.ip.att.net"
                                               << "New York City"
                                               << "ip.att.net/operator:n54";
        QTest::newRow("att set 4's st0wa") << "cr81.st0wa.ip.att.net"
                                           << "Seattle"
                                           << "ip.att.net/operator:st0";
        QTest::newRow("att cgc, no abbreviation of Chicago") << "ggr3.cgcil.ip.att.net"
                                                             << "Chicago"
                                                             << "ip.att.net/operator:cgc";
        QTest::newRow("att code glued to the device") << "cgcil403igs.ip.att.net"
                                                      << "Chicago"
                                                      << "ip.att.net/operator:cgc";
        QTest::newRow("att sff") << "cr1.sffca.ip.att.net"
                                 << "San Francisco"
                                 << "ip.att.net/operator:sff";
        QTest::newRow("att wsw") << "cr2.wswdc.ip.att.net"
                                 << "Washington, D.C."
                                 << "ip.att.net/operator:wsw";
        QTest::newRow("att abbreviation still read") << "cr2.rlgnc.ip.att.net"
                                                     << "Raleigh"
                                                     << "ip.att.net/abbrev:rlg";
        QTest::newRow("qwest code with a digit") << "dcx2-edge-01.inet.qwest.net"
                                                 << "Washington, D.C."
                                                 << "qwest.net/operator:dcx";
        QTest::newRow("bt building colindale") << "core2-hu0-3-0-7.colindale.ukcore.bt.net"
                                               << "London"
                                               << "ukcore.bt.net/operator:colindale";
        QTest::newRow("bt building faraday (set 2)") << "core3-hu0-14-0-7.faraday.ukcore.bt.net"
                                                     << "London"
                                                     << "ukcore.bt.net/operator:faraday";
        QTest::newRow("free bzn, not Bozeman") << "bzn-9k-2-sys-be2000.intf.routers.proxad.net"
                                               << "Bezons"
                                               << "proxad.net/operator:bzn";
        QTest::newRow("free th2") << "th2-crs16-1-be1004.intf.routers.proxad.net"
                                  << "Paris"
                                  << "proxad.net/operator:th2";
        QTest::newRow("free spelled-out city") << "montpellier-6k-1-a5.routers.proxad.net"
                                               << "Montpellier"
                                               << "proxad.net/city:montpellier";
    }

    void afterSet5() { genericStructure(); }

    // Held-out set 6's misses (docs/benchmarks.md): AT&T's city code as a label of its own after
    // a device label with dashes, codes that are no abbreviation (AT&T "sl9", "cb1"; Sprint "sj";
    // Arelion "zch"; PhoenixNAP "sje"; Facebook's data centre "prn", not Pristina), a metro code
    // in a table rule (Qwest "wdc"), site codes without a site number (M247, PhoenixNAP), and
    // rules for Facebook, Metronet UK and IONOS; each on its real names (set 6).
    void afterSet6_data()
    {
        hintColumns();
        QTest::newRow("att code after a dashed device") << "gbr2-p21.cgcil.ip.att.net"
                                                        << "Chicago"
                                                        << "ip.att.net/operator:cgc";
        QTest::newRow("att dlstx read as letters + state") << "gar3-p3100.dlstx.ip.att.net"
                                                           << "Dallas"
                                                           << "ip.att.net/abbrev:dls";
        QTest::newRow("att sl9") << "tbr2-cl6.sl9mo.ip.att.net"
                                 << "St. Louis"
                                 << "ip.att.net/operator:sl9";
        QTest::newRow("att cb1") << "gbr1-p100.cb1ma.ip.att.net"
                                 << "Cambridge"
                                 << "ip.att.net/operator:cb1";
        QTest::newRow("sprint sj") << "sl-bb24-sj-10-0.sprintlink.net"
                                   << "San Jose"
                                   << "sprintlink.net/operator:sj";
        QTest::newRow("qwest metro code wdc") << "wdc-core-01.inet.qwest.net"
                                              << "Washington"
                                              << "qwest.net/metro:wdc";
        QTest::newRow("arelion zch") << "zch-b2-link.telia.net"
                                     << "Zürich"
                                     << "telia.net/operator:zch";
        QTest::newRow("m247 without a site number") << "eth-50-4-0.core-agg3.buc.ro.m247.com"
                                                    << "Bucharest"
                                                    << "m247.com/abbrev:buc";
        QTest::newRow("pnap without a site number") << "core3.ge2-0-bbnet1.den.pnap.net"
                                                    << "Denver"
                                                    << "pnap.net/iata:den";
        QTest::newRow("pnap sje, not San José del Guaviare") << "border3.pc2-bbnet2.sje.pnap.net"
                                                             << "San Jose"
                                                             << "pnap.net/operator:sje";
        QTest::newRow("facebook prn, not Pristina") << "be24.bb02.prn2.tfbnw.net"
                                                    << "Prineville"
                                                    << "tfbnw.net/operator:prn";
        QTest::newRow("facebook airport code") << "ae11.pr02.fra2.tfbnw.net"
                                               << "Frankfurt"
                                               << "tfbnw.net/iata:fra";
        QTest::newRow("metronet man") << "te1-5.man-tck1gw.metronet-uk.com"
                                      << "Manchester"
                                      << "metronet-uk.com/iata:man";
        QTest::newRow("metronet no reverse name") << "no-reverse-dns.metronet-uk.com"
                                                  << ""
                                                  << "";
        QTest::newRow("ionos code and country") << "lo-0-0.rc-a.rs.ber.de.net.ionos.com"
                                                << "Berlin"
                                                << "ionos.com/iata:ber";
    }

    void afterSet6() { genericStructure(); }

    // Held-out set 7's misses: GÉANT's city letters with a country label (a convention, no
    // table), Janet's four letters, Orange's regional backbone, Linode's site with a country,
    // OVH's other device models, Hetzner's other domains, GARR's province codes, and table codes
    // for codes that are no abbreviation or another place's (core-backbone "nbg", Rostelecom
    // "mrsk"); each on its real names (set 7; GÉANT's `mx1` form from set 2).
    void afterSet7_data()
    {
        hintColumns();
        QTest::newRow("geant pra.cz") << "cesnet-gw.rt1.pra.cz.geant2.net"
                                      << "Prague"
                                      << "geant2.net/abbrev:pra";
        QTest::newRow("geant gen.ch") << "switch-lb2-gw.rt1.gen.ch.geant2.net"
                                      << "Genève"
                                      << "geant2.net/abbrev:gen";
        QTest::newRow("geant buc.ro, not Burketown") << "roedunet-gw.rt1.buc.ro.geant2.net"
                                                     << "Bucharest"
                                                     << "geant2.net/abbrev:buc";
        QTest::newRow("geant airport code fra.de") << "dfn-gw.rt1.fra.de.geant2.net"
                                                   << "Frankfurt"
                                                   << "geant2.net/iata:fra";
        QTest::newRow("geant mx1, set 2") << "ae2.mx1.gen.ch.geant.net"
                                          << "Genève"
                                          << "geant.net/abbrev:gen";
        QTest::newRow("janet lond") << "ae12.lond-sbr1.ja.net"
                                    << "London"
                                    << "ja.net/abbrev:lond";
        QTest::newRow("orange lil") << "ae123-0.nclil102.rbci.orange.net"
                                    << "Lille"
                                    << "rbci.orange.net/iata:lil";
        QTest::newRow("linode shg.jp, not Shungnak") << "if-11-1-5-0.gw2.shg1.jp.linode.com"
                                                     << "Tokyo"
                                                     << "linode.com/operator:shg";
        QTest::newRow("ovh device a72") << "be102.rbx-5-a72.fr.eu"
                                        << "Roubaix"
                                        << "eu/operator:rbx";
        QTest::newRow("hetzner.de link") << "core-backbone-100g-nbg.hetzner.de"
                                         << "Nürnberg"
                                         << "hetzner.de/operator:nbg";
        QTest::newRow("hetzner cloud") << "cnode3.6.fsn1.your-cloud.host"
                                       << "Falkenstein"
                                       << "your-cloud.host/operator:fsn";
        QTest::newRow("core-backbone nbg, not New Orleans") << "ae1-2014.nbg40.core-backbone.com"
                                                            << "Nürnberg"
                                                            << "core-backbone.com/operator:nbg";
        QTest::newRow("garr province pi") << "ru-unipi-rl1-pi01.pi01.garr.net"
                                          << "Pisa"
                                          << "garr.net/operator:pi";
        QTest::newRow("rostelecom mrsk, not Magnitogorsk") << "mrsk-bras5.sz.ip.rostelecom.ru"
                                                           << "Murmansk"
                                                           << "rostelecom.ru/operator:mrsk";
        QTest::newRow("belnet brueve") << "10ge.cr1.brueve.belnet.net"
                                       << "Brussels"
                                       << "belnet.net/operator:brueve";
        QTest::newRow("heanet cwt") << "gi0-12-0-2-cr2-cwt.hea.net"
                                    << "Dublin"
                                    << "hea.net/operator:cwt";
        QTest::newRow("google at equinix") << "eqix-ch-200g-1.google.com"
                                           << "Chicago"
                                           << "google.com/operator:ch";
    }

    void afterSet7() { genericStructure(); }

    // Held-out set 8's misses: rules for Internet2 (a city's first four letters), MTS,
    // ER-Telecom and TransTelecom (Russian city codes, some now carriers' metro codes: spb, ekb,
    // nsk, rnd), TPG, NORDUnet (country and site), RNP (the Brazilian state), CESNET, BBN Planet;
    // nbg as Nürnberg's carriers' code; Arelion and OVH forms and codes; each on its real names
    // (set 8).
    void afterSet8_data()
    {
        hintColumns();
        QTest::newRow("internet2 jack") << "et-4-0-0.469.rtsw.jack.net.internet2.edu"
                                        << "Jacksonville"
                                        << "internet2.edu/abbrev:jack";
        QTest::newRow("internet2 elpa") << "fourhundredge-0-0-0-0.4079.core2.elpa.net.internet2.edu"
                                        << "El Paso"
                                        << "internet2.edu/abbrev:elpa";
        QTest::newRow("mts kaz") << "vish-cr01-be7.66.kaz.mts-internet.net"
                                 << "Kazan"
                                 << "mts-internet.net/abbrev:kaz";
        QTest::newRow("mts knd") << "morsk-cr02-be21.4024.knd.mts-internet.net"
                                 << "Krasnodar"
                                 << "mts-internet.net/operator:knd";
        QTest::newRow("ertelecom nsk, a carriers' code") << "lag-3-438.bgw01.nsk.ertelecom.ru"
                                                         << "Novosibirsk"
                                                         << "ertelecom.ru/metro:nsk";
        QTest::newRow("ertelecom spb, not Charlotte Amalie") << "5x19x2x250.static-business.spb.ertelecom.ru"
                                                             << "Saint Petersburg"
                                                             << "ertelecom.ru/metro:spb";
        QTest::newRow("mirasystem ekb.ru, generic") << "vl1365.ar04-25.ekb.ru.mirasystem.net"
                                                    << "Yekaterinburg"
                                                    << "metro:ekb";
        QTest::newRow("transtelecom kmo") << "kmo01.transtelecom.net"
                                          << "Kemerovo"
                                          << "transtelecom.net/operator:kmo";
        QTest::newRow("transtelecom two labels") << "mskn17.mskn202.transtelecom.net"
                                                 << "Moscow"
                                                 << "transtelecom.net/operator:msk";
        QTest::newRow("tpg bri, not Bari") << "bri-sot-wic-csw2-gi-1-3.tpgi.com.au"
                                           << "Brisbane"
                                           << "tpgi.com.au/abbrev:bri";
        QTest::newRow("tpg nme") << "nme-apt-bur-wgw1-be30.tpgi.com.au"
                                 << "Melbourne"
                                 << "tpgi.com.au/operator:nme";
        QTest::newRow("nordunet country and site") << "de-hmb.nordu.net"
                                                   << "Hamburg"
                                                   << "nordu.net/abbrev:hmb";
        QTest::newRow("rnp state") << "mg2-mg.bkb.rnp.br"
                                   << "Belo Horizonte"
                                   << "rnp.br/operator:mg";
        QTest::newRow("cesnet bm") << "r98-bm.cesnet.cz"
                                   << "Brno"
                                   << "cesnet.cz/operator:bm";
        QTest::newRow("bbn clli from its table") << "p15-0.snjpca1-br2.bbnplanet.net"
                                                 << "San Jose"
                                                 << "bbnplanet.net/operator:snjpca";
        QTest::newRow("nbg, not New Orleans") << "irb42-rt1-nbg6a.core.noris.net"
                                              << "Nürnberg"
                                              << "metro:nbg";
        QTest::newRow("arelion mai, not Maiduguri") << "mai-b1-link.telia.net"
                                                    << "Miami"
                                                    << "telia.net/operator:mai";
        QTest::newRow("arelion device and interface") << "prag-b1-pos4-0.telia.net"
                                                      << "Prague"
                                                      << "telia.net/abbrev:prag";
        QTest::newRow("ovh device 6k") << "nwk-1-6k.nj.us"
                                       << "Newark"
                                       << "us/operator:nwk";
        QTest::newRow("janet four letters and a site") << "ae29.londpg-sbr1.ja.net"
                                                       << "London"
                                                       << "ja.net/abbrev:lond";
    }

    void afterSet8() { genericStructure(); }

    // Without any operator rule: a code that is a label of its own (perhaps with its site
    // number) right before the name's country label is read as an abbreviation of a place in
    // that country, as GÉANT, RETN and M247 name their sites (real names of sets 3, 6 and 7; the
    // rules read them too, this is what the reading does for operators no rule knows). The IATA
    // reading stays a candidate, and nothing else in the name is read this way.
    void genericCountryAbbreviation_data()
    {
        hintColumns();
        QTest::newRow("retn fkt.de") << "de-cix1.RT.ACT.FKT.DE.retn.net"
                                     << "Frankfurt am Main"
                                     << "abbrev:fkt.de";
        QTest::newRow("retn hki.fi") << "ae14-218.rt.rad.hki.fi.retn.net"
                                     << "Helsinki"
                                     << "abbrev:hki.fi";
        QTest::newRow("m247 zur1.ch, with its site number") << "vlan24.as02.zur1.ch.m247.com"
                                                            << "Zürich"
                                                            << "abbrev:zur.ch";
        QTest::newRow("geant pra.cz, not Paraná") << "cesnet-gw.rt1.pra.cz.geant2.net"
                                                  << "Prague"
                                                  << "abbrev:pra.cz";
        QTest::newRow("an airport code before its country stays one") << "dfn-gw.rt1.fra.de.geant2.net"
                                                                      << "Frankfurt"
                                                                      << "iata:fra";
        // Hint-free names of the sets with a short label before a country label.
        QTest::newRow("exchange port, no place") << "as2907.ix.jpix.ad.jp"
                                                 << ""
                                                 << "";
        QTest::newRow("campus router, no place") << "cisco-2.bart.ucl.ac.uk"
                                                 << ""
                                                 << "";
    }

    void genericCountryAbbreviation()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, city);
        QFETCH(QString, detail);
        const GeoAnswer answer = m_generic->hintFor(hostname);
        if (city.isEmpty()) {
            QVERIFY2(answer.status != GeoStatus::Located,
                     qPrintable(answer.place.city + " " + answer.providerDetail));
            return;
        }
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.providerDetail, detail);
    }

    // Interface numbering is not an address: the PoP code beside it stays a token; a label that
    // spells out an address gives none.
    void addressLabels_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<QString>("token"); // a token that must (or, with '!', must not) be read
        QTest::newRow("tenet interface + pop") << "te0-1-0-1-jnb2-p1-n.tenet.ac.za"
                                               << "jnb";
        QTest::newRow("tenet interface + pop 2") << "lt-1-1-0-0-cpt3-pe1.net.tenet.ac.za"
                                                 << "cpt";
        QTest::newRow("customer address") << "cpe-181-47-254-17.telecentro-reversos.com.ar"
                                          << "!cpe";
        QTest::newRow("rr customer address") << "cpe-67-11-96-1.satx.res.rr.com"
                                             << "!cpe";
    }

    void addressLabels()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, token);
        const bool wanted = !token.startsWith('!');
        if (!wanted)
            token.remove(0, 1);
        QStringList texts;
        for (const HostnameToken &t : tokenize(splitHostname(hostname.toLower(), *m_places)))
            texts << t.text;
        QVERIFY2(texts.contains(token) == wanted, qPrintable(texts.join(',')));
    }

    void badScopeIsReported()
    {
        const QString rulesFile = writeFile(
            "badscope.tsv", "example.net\ttable\tex\t^(?<code>[a-z]+)-\\d+\\.example\\.net$\tExample\tUSA\n");
        const auto rules = OperatorRules::load(rulesFile, writeFile("none.tsv", ""));
        QCOMPARE(rules->loadErrors().size(), 1);
        QVERIFY2(rules->loadErrors().first().contains("scope"), qPrintable(rules->loadErrors().first()));
    }
};

QTEST_GUILESS_MAIN(TestHostnameAbbrev)
#include "tst_hostnameabbrev.moc"
