package cqlbridge

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.time.Duration

/**
 * Credentials and TLS from Kotlin, against the harness's `--auth --tls` node: phase 2 of
 * `make test` runs this class alone with that node's `env` exported (CQLB_TLS_CA,
 * CQLB_USERNAME, CQLB_PASSWORD). Against the plain node of phase 1 it is skipped, saying so.
 */
class TlsTest {
    private val ca: String? = System.getenv("CQLB_TLS_CA")?.ifBlank { null }

    @BeforeEach
    fun needsTheTlsNode() = assumeTrue(ca != null, "needs the --auth --tls node (phase 2 of make test runs this class)")

    private fun connect(
        caFile: String = ca!!,
        password: String = System.getenv("CQLB_PASSWORD"),
        verifyHostname: Boolean = true,
        serverName: String? = null,
    ) = runBlocking {
        CqlCluster.builder()
            .addContactPoints(*Node.contactPoints.toTypedArray())
            .withConnectTimeout(Duration.ofSeconds(10))
            .withCredentials(System.getenv("CQLB_USERNAME"), password)
            .withTls(caFile, verifyHostname = verifyHostname, serverName = serverName)
            .build()
            .use { it.connect().execute("SELECT release_version FROM system.local").one() }
    }

    @Test
    fun `the right CA and credentials connect, a wrong password is an AuthenticationException`() {
        assertNotNull(connect())
        assertThrows<AuthenticationException> { connect(password = "not the password") }
    }

    @Test
    fun `a CA that did not sign the node's certificate is a clear TLS error`() {
        val wrongCa = File(File(ca!!).parentFile, "client-ca.pem").path
        val e = assertThrows<DriverException> { connect(caFile = wrongCa) }
        assertTrue(e.message!!.contains("UnknownIssuer") || e.message!!.contains("certificate"), e.message)
    }

    @Test
    fun `hostname verification refuses a certificate for another name unless turned off`() {
        assertNotNull(connect(serverName = "localhost"))
        val e = assertThrows<DriverException> { connect(serverName = "db.elsewhere.invalid") }
        assertTrue(e.message!!.contains("not valid for name") || e.message!!.contains("NotValidForName"), e.message)
        assertNotNull(connect(verifyHostname = false, serverName = "db.elsewhere.invalid"))
    }
}
